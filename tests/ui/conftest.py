"""UI tests: the identity module is stood in for until the roles branch is merged."""

from tests.ui.fake_identity import install

install()

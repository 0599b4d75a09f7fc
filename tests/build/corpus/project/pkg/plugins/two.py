import pkg.base
from pkg.plugins.one import One


class Two(pkg.base.CliPlugin):
    name = "two"


class StillAbstract(pkg.base.CliPlugin):
    pass


class Empty(pkg.base.CliPlugin):
    name = ""


TwoAlias = Two


class Three(One):
    """Inherits namespace from One's base and overrides the name."""

    name = "three"


class Four(pkg.base.CliPlugin):
    namespace, name = "corpus.cli.other", "four"

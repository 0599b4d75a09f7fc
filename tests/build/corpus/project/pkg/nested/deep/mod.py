from pkg.base import CliPlugin


class Deep(CliPlugin):
    name = "deep"

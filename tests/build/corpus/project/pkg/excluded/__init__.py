from plux import Plugin


class Top(Plugin):
    namespace = "corpus.excluded"
    name = "top"

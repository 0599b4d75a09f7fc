from plux import Plugin


class Inner(Plugin):
    namespace = "corpus.excluded"
    name = "inner"

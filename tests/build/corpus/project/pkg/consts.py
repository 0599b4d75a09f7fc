CLI_NAMESPACE = "corpus.cli"
SERVICES = "corpus.services"
PREFIX = "svc"
HOOKS = "corpus" + ".hooks"

from lscli.runtime import hooks  # noqa: F401

from plux import Plugin

from . import makers
from .makers import aws_provider, on_infra_start


@aws_provider("sqs")
class SqsProvider(Plugin):
    pass


@makers.hook(name="h1")
def h1():
    pass


@on_infra_start()
def h2():
    pass


@makers.wrapped_package("pkg-x")
def px():
    pass

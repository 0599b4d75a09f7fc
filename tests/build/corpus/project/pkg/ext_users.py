from extlib.makers import ExtBase, ext_plugin


class FromExternalBase(ExtBase):
    name = "e2"


@ext_plugin("e1")
def e1():
    pass

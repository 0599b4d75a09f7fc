
from lscli.runtime import hooks
@hooks.prepare_host(priority=200)
def patch_detection():pass
@hooks.prepare_host(should_load=False)
def activate_key():pass

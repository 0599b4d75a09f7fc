
import functools
from plux import PluginManager,plugin
HOOKS_PREPARE_HOST='lscli.hooks.prepare_host'
def hook(namespace:str,priority:int=0,**A):
	def B(fn):fn.hook_priority=priority;return plugin(namespace=namespace,**A)(fn)
	return B
def hook_spec(namespace:str):B=namespace;A=functools.partial(hook,namespace=B);A.manager=PluginManager(B);return A
prepare_host=hook_spec(HOOKS_PREPARE_HOST)

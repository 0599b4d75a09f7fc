from ..base import CliPlugin as Base


class One(Base):
    """Namespace inherited across modules through an import alias; name keeps its case."""

    name = "One"

"""The fact base: typed models and the one loader that reads YAML into them."""

from briefgen.facts.loader import LoadedBriefing, load_facts
from briefgen.facts.models import Briefing

__all__ = ["Briefing", "LoadedBriefing", "load_facts"]

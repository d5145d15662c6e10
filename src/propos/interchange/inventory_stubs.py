"""Inventory stubs for placeholder ids, and the previous version of a re-imported document.

Both serve imports of edited annotations (:mod:`propos.interchange.brat`): a placeholder id
must exist in the inventory for the imported file to validate, and the ids of the version an
import replaces must not be handed to new annotations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from propos.errors import ProposError
from propos.fileio import dump_json, read_json

LAYERS = ("entities", "events", "utterances")


def add_stubs(inventory_path: Path, stubs: list[tuple[str, dict[str, Any]]]) -> str | None:
    """The inventory file's new content with the ``(layer, entry)`` stubs whose id it lacks
    appended, or None when it has them all (nothing to write)."""
    if not inventory_path.is_file():
        raise ProposError(f"{inventory_path}: no such inventory", exit_code=2)
    inventory = read_json(inventory_path)
    if not isinstance(inventory, dict) or not all(
        isinstance(inventory.get(layer), list) for layer in LAYERS
    ):
        raise ProposError(f"{inventory_path}: not an inventory (run `propos validate`)")
    known = {
        entry.get("id") for layer in LAYERS for entry in inventory[layer] if isinstance(entry, dict)
    }
    added = False
    for layer, entry in stubs:
        if entry["id"] not in known:
            inventory[layer].append(entry)
            known.add(entry["id"])
            added = True
    return dump_json(inventory) if added else None


def previous_version(path: Path) -> Any:
    """The version of a document an import replaces, or None if absent or unreadable (the
    import then only avoids the ids of its own file)."""
    if not path.is_file():
        return None
    try:
        return read_json(path)
    except ProposError:
        return None

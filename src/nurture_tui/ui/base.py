"""Typed access to the running NurtureApp from screens and widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from nurture_tui.ui.app import NurtureApp


def nurture(node: DOMNode) -> NurtureApp:
    return cast("NurtureApp", node.app)

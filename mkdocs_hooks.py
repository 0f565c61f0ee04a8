"""MkDocs hooks for the documentation site (``hooks:`` in mkdocs.yml).

A link written as ``[case-bodies.md](case-bodies.md)`` reads well on GitHub,
where the file name is what the reader clicks through to; on the site the
reader wants the page's title. This hook rewrites, in the rendered HTML, the
text of every link whose text is the file name of a site page to that page's
title, so the Markdown stays readable in both places.

Long identifiers in headings (``host_configuration_needed:host_configuration_needed``)
get line-break opportunities after ``_``, ``:`` and ``/`` in the table of
contents, and long code in table cells (JSON requests, case ids) after ``,``,
``:``, ``/``, ``|`` and ``.``, so they wrap at a boundary instead of mid-word.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Any

_pages: dict[str, Any] = {}

# <a href="HREF">NAME.md</a>, the name optionally in <code>
_FILE_LINK = re.compile(
    r'(?P<open><a href="(?P<href>[^"#]*)(?P<frag>#[^"]*)?"[^>]*>)'
    r"(?:<code>)?(?P<name>[\w./-]+\.md)(?:</code>)?(?P<close></a>)"
)


def _key(url: str) -> str:
    return posixpath.normpath(url or ".").strip("/") or "."


def on_nav(nav: Any, config: Any, files: Any) -> Any:
    _pages.clear()
    for file in files.documentation_pages():
        if file.page is not None:
            _pages[_key(file.url)] = file.page
    return nav


_LONG_WORD = re.compile(r"[^\s<>]{20,}")
_BREAK_AFTER = re.compile(r"([_:/])(?=[^_:/])")


def _breakable(title: str) -> str:
    return _LONG_WORD.sub(lambda m: _BREAK_AFTER.sub(r"\1<wbr>", m[0]), title)


def _toc(items: Any) -> None:
    for item in items:
        item.title = _breakable(item.title)
        _toc(item.children)


_CELL = re.compile(r"<td>.*?</td>", re.DOTALL)
_LONG_CODE = re.compile(r"<code>([^<]{25,})</code>")
_CODE_BREAK = re.compile(r"([,:/|]|\.(?=[A-Za-z]))(?=[^\s,:/|])")


def _cell(match: re.Match[str]) -> str:
    return _LONG_CODE.sub(
        lambda m: "<code>" + _CODE_BREAK.sub(r"\1<wbr>", m[1]) + "</code>", match[0]
    )


def on_page_content(html_: str, page: Any, config: Any, files: Any) -> str:
    _toc(page.toc)
    # long code in table cells (JSON requests, case ids) wraps after , : / | .
    return _CELL.sub(_cell, html_)


def on_post_page(output: str, page: Any, config: Any) -> str:
    def title(match: re.Match[str]) -> str:
        href = match["href"]
        if not href or "://" in href:
            return match[0]
        base = posixpath.dirname(page.url.rstrip("/") + "/x") if page.url else ""
        target = _pages.get(_key(posixpath.join(base, href)))
        if target is None or not target.title:
            return match[0]
        return f"{match['open']}{html.escape(target.title)}{match['close']}"

    return _FILE_LINK.sub(title, output)

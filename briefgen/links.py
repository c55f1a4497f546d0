"""Web addresses as they are written into a package and into the Markdown between templates and
writers.

A relationship target in .docx/.pptx is an `xs:anyURI`: a URI reference per RFC 3986, so a
source URL as people paste it (`<` and `>` in a query, a second `#` in a hash-routed page,
letters outside ASCII, a space) must be normalised and percent-encoded first, or Word reports
the file as damaged and the schema check fails. That is done by yarl (aio-libs), a maintained
URL library, never by a hand-written pattern: RFC 3986 §6.2.2 normalisation (scheme and host in
lower case, percent-encodings in upper case, unreserved characters decoded, dot segments
removed, the scheme's default port dropped), IDNA for host names, and percent-encoding of each
component with the characters that component may hold.

The text a reader sees stays the address as the user wrote it; only the target is encoded
(`briefgen.markup.markdown_link` writes both into the Markdown).
"""

from __future__ import annotations

import functools
from urllib.parse import quote

# RFC 3986 §2.2 reserved characters, §2.3 unreserved ones and "%" (already encoded octets):
# what the last-resort encoding leaves alone. "#" is kept once, as the fragment's start.
_URI_CHARACTERS = ":/?[]@!$&'()*+,;=-._~%"


@functools.lru_cache(maxsize=1024)
def package_target(url: str) -> str:
    """`url` as an RFC 3986 URI for a relationship target or any other `xs:anyURI`.

    `https://example.org/report?id=7&view=<full>` → `…view=%3Cfull%3E`;
    `https://example.org/#/docs#install` → `https://example.org/#/docs%23install`;
    `https://bücher.example/straße` → `https://xn--bcher-kva.example/stra%C3%9Fe`.
    An internal target (`#anchor`) is returned unchanged. Never raises: an address yarl cannot
    parse (a broken IPv6 literal, an impossible port) is percent-encoded character by character.
    """
    if url.startswith("#"):
        return url
    try:
        from yarl import URL

        return str(URL(url))
    except (ValueError, TypeError, UnicodeError):
        head, hash_, fragment = url.partition("#")
        encoded = quote(head, safe=_URI_CHARACTERS)
        return encoded + (hash_ + quote(fragment, safe=_URI_CHARACTERS) if hash_ else "")

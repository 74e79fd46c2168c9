"""Knowledge for AI agents: `kbgen mcp` (mcp_server), the audience's view and
its search index served over the Model Context Protocol (docs/agents.md).
The ranking itself is kbgen.search's, shared with `kbgen search`."""

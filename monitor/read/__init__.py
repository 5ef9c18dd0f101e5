"""The read side: what a reader asks of the stored history, apart from the poll pipeline.

history (the CLI's listings and rows), search (full-text conditions and relevance),
search_query (what a typed query means), snippets, facets, filters (the one builder of
the history filters: CLI, web page, API and bot), schemas (the API's and export's shapes),
export and status.
"""

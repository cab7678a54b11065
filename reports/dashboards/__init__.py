"""Dashboards: view-models (areas), charts over the campaign's days (timeline), page contexts (pages), stored pages (store).

Imports point down that list's reverse: store -> pages -> timeline, areas -> census.formatting.
"""

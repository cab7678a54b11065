"""Dashboards built from coverage snapshots, in four modules, each importing only the ones below it.

store      renders a page in each language and keeps it (RenderedDashboard), serves it fresh, re-renders after a recompute
pages      the context of each page (region, district, national, public, widget) as of a day
timeline   phases as of a day, the days a chart spans, the chart payloads
areas      one area's figures of one day as texts, sort keys and colours (the view-model templates read)
"""

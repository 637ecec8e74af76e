"""Grafana dashboards as data: typed models (``model``), builders (``build``), checks (``check``), the layout
description (``layout``). Stable dashboard and panel ids live in ``aigen.dashboard_ids``, below the plan, which
derives each alert's ``dashboard_url`` from them."""

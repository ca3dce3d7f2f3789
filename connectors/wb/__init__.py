"""Wildberries: FBS assembly tasks and supplies, seller-warehouse stock by chrtId, FBW statistics and stock report,
buyer claims. Facts from ../shared/marketplaces/wildberries.md and the official specs (2026-08-18)."""

"""Ozon Seller API: FBS/rFBS postings, assembly and labels, stock with the 30-second rule, FBO, returns, pushes."""

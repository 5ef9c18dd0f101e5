"""Scrapy project that reads the CSTO news listing and detail pages; knows nothing of storage."""

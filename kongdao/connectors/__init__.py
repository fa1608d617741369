"""Database connectors. Empty on purpose: importing kongdao never imports a driver.

Connectors are found by name through :mod:`kongdao.registry`.
"""

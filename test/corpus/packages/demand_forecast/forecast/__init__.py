"""Electricity demand forecasting."""

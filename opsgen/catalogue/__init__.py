"""The catalogue layer: load, schema, validate, merge, model, and the checks of alert expressions."""

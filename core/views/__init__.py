"""The portal's web blueprints."""

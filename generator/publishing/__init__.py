"""Publishing: frozen, hash-locked versions, what changed, what is in force, and checks against git history."""

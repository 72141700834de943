from ninja import Router

router = Router(tags=["absent-citizen lists"])

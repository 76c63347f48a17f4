from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "机关与人员"

    def ready(self) -> None:
        # The cached agency tree (agencies/tree.py) follows every saved or deleted agency.
        from .models import Agency
        from .tree import agency_tree_on_change

        post_save.connect(agency_tree_on_change, sender=Agency, dispatch_uid="agency-tree-save")
        post_delete.connect(agency_tree_on_change, sender=Agency, dispatch_uid="agency-tree-del")

app_name = "season"

urlpatterns: list = []

from django.urls import path

from treasury import views

app_name = "treasury"

urlpatterns = [
    path("", views.index, name="index"),
    path("prevision.csv", views.export, name="export"),
    path("alerte/", views.alert, name="alert"),
]

from django.urls import path

from . import views

app_name = "monitoring"

area = "<slug:level>/<str:code>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(area, views.area, name="area"),
    path(area + "export/<slug:table>.<slug:fmt>", views.area_export, name="export"),
    path(area + "dhis2.json", views.dhis2, name="dhis2"),
    path(area + "evaluare/", views.waves, name="waves"),
    path(area + "harta/", views.area_map, name="map"),
    path(area + "harta/gospodarii.geojson", views.map_points, name="map_points"),
    path(area + "harta/zone.geojson", views.map_areas, name="map_areas"),
    path(area + "raport.pdf", views.report, name="report"),
]

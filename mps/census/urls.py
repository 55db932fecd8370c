from django.urls import path

from . import views

app_name = "census"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("nou/", views.campaign_open_view, name="campaign_open"),
    path("intrari/<uuid:ref>/vizita/", views.visit_record_view, name="visit_record"),
    path("<int:siruta>/<str:wave>/", views.campaign_detail, name="campaign_detail"),
    path("<int:siruta>/<str:wave>/import/", views.register_import_view, name="register_import"),
    path("<int:siruta>/<str:wave>/gasite-pe-teren/", views.found_in_field_view, name="found_in_field"),
    path("<int:siruta>/<str:wave>/inchide/", views.campaign_close_view, name="campaign_close"),
]

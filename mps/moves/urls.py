from django.urls import path

from mps.moves import views

app_name = "moves"
urlpatterns = [
    path("", views.transfer_list, name="transfer_list"),
    path("familie-venita/", views.household_claim, name="household_claim"),
    path("ziua-mea/", views.my_day_overdue, name="my_day_overdue"),
    path("gospodarie/<uuid:ref>/", views.household_transfer_detail, name="household_transfer_detail"),
    path("gospodarie/<uuid:ref>/accepta/", views.household_transfer_accept, name="household_transfer_accept"),
    path("gospodarie/<uuid:ref>/refuza/", views.household_transfer_refuse, name="household_transfer_refuse"),
    path(
        "gospodarie/<uuid:ref>/retrage/",
        views.household_transfer_withdraw,
        name="household_transfer_withdraw",
    ),
    path("persoana/<uuid:ref>/", views.person_transfer_detail, name="person_transfer_detail"),
    path("persoana/<uuid:ref>/accepta/", views.person_transfer_accept, name="person_transfer_accept"),
    path("persoana/<uuid:ref>/refuza/", views.person_transfer_refuse, name="person_transfer_refuse"),
    path("persoana/<uuid:ref>/retrage/", views.person_transfer_withdraw, name="person_transfer_withdraw"),
    # Pages that start from a household of the team: ref names the household.
    path(
        "gospodarii/<uuid:ref>/cerere/", views.household_transfer_request, name="household_transfer_request"
    ),
    path("gospodarii/<uuid:ref>/stare/", views.household_panel, name="household_panel"),
    path("gospodarii/<uuid:ref>/aduce-persoana/", views.person_claim, name="person_claim"),
    path("gospodarii/<uuid:ref>/membri/<uuid:person_ref>/muta/", views.person_move, name="person_move"),
]

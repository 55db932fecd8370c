from django.urls import path

from mps.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("ziua-mea/", views.my_day, name="my_day"),
    path("trimiteri-intarziate/", views.overdue_referrals, name="overdue_referrals"),
    path("volum-de-lucru/", views.workload, name="workload"),
    path("activitati/", views.activity_list, name="activity_list"),
    path("activitati/noua/", views.activity_new, name="activity_new"),
    path("activitati/<uuid:ref>/", views.activity_detail, name="activity_detail"),
    path("sarcini/<int:task_id>/gata/", views.task_done, name="task_done"),
    path("trimiteri/<uuid:ref>/scrisoare.pdf", views.referral_pdf, name="referral_pdf"),
    path("trimiteri/<uuid:ref>/<str:move>/", views.referral_move, name="referral_move"),
    path("<uuid:ref>/", views.case_detail, name="case_detail"),
    path("<uuid:ref>/stare/<str:move>/", views.case_move, name="case_move"),
    path("<uuid:ref>/inchide/", views.case_close_view, name="case_close"),
    path("<uuid:ref>/manager/", views.case_reassign_view, name="case_reassign"),
    path("<uuid:ref>/plan/", views.plan_edit, name="plan_edit"),
    path("<uuid:ref>/plan/serviciu/", views.plan_action_add_view, name="plan_action_add"),
    path("<uuid:ref>/plan/<int:action_id>/gata/", views.plan_action_done_view, name="plan_action_done"),
    path("<uuid:ref>/acord/", views.agreement_new, name="agreement_new"),
    path("<uuid:ref>/acord/<int:agreement_id>.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("<uuid:ref>/servicii/", views.delivery_add, name="delivery_add"),
    path("<uuid:ref>/trimiteri/noua/", views.referral_new, name="referral_new"),
]

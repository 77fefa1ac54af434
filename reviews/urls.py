from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review, name="review"),
    path("ouvrir/", views.review_start, name="start"),
    path("<id:review_id>/membres/<id:membership_id>/", views.decision_save, name="decide"),
    path("<id:review_id>/signer/", views.review_sign_page, name="sign"),
    path("<id:review_id>/signer/code/", views.review_send_code, name="send_code"),
    path("<id:review_id>/pdf/", views.review_download, name="pdf"),
]

from django.urls import path

from . import views_distributors as d
from . import views_documents as doc

app_name = "distributors"
urlpatterns = [
    # distributors, contacts, portal users (views_distributors)
    path("", d.distributor_list, name="list"),
    path("new/", d.distributor_create, name="create"),
    path("import/", d.distributor_import, name="import"),
    path("<int:pk>/", d.distributor_detail, name="detail"),
    path("<int:pk>/edit/", d.distributor_edit, name="edit"),
    path("<int:pk>/status/<str:action>/", d.distributor_transition, name="transition"),
    path("<int:pk>/contacts/new/", d.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", d.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", d.contact_delete, name="contact_delete"),
    path("<int:pk>/users/new/", d.portal_user_create, name="user_create"),
    path("users/<int:pk>/active/", d.portal_user_toggle, name="user_toggle"),
    # qualifications, contracts, reviews (views_documents)
    path("qualifications/", doc.qualification_list, name="qualifications"),
    path("<int:pk>/qualifications/new/", doc.qualification_create, name="qualification_create"),
    path("qualifications/<int:pk>/verify/", doc.qualification_verify, name="qualification_verify"),
    path("qualifications/<int:pk>/file/", doc.qualification_file, name="qualification_file"),
    path("contracts/", doc.contract_list, name="contracts"),
    path("<int:pk>/contracts/new/", doc.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", doc.contract_detail, name="contract"),
    path("contracts/<int:pk>/renew/", doc.contract_renew, name="contract_renew"),
    path("contracts/<int:pk>/status/<str:action>/", doc.contract_transition, name="contract_transition"),
    path("contracts/<int:pk>/file/", doc.contract_file, name="contract_file"),
    path("reviews/", doc.review_list, name="reviews"),
    path("reviews/<int:pk>/", doc.review_detail, name="review"),
]

from django.urls import URLPattern, path

from .views import merchant, vouchers

urlpatterns: list[URLPattern] = [
    # the member portal
    path("m/welfare/vouchers/", vouchers.my_vouchers, name="my_vouchers"),
    path("m/welfare/vouchers/<int:pk>/", vouchers.my_voucher, name="my_voucher"),
    # the merchants' counter
    path("merchant/", merchant.merchant_home, name="merchant_home"),
    path("merchant/check/", merchant.merchant_check, name="merchant_check"),
    path("merchant/redeem/", merchant.merchant_redeem, name="merchant_redeem"),
    path("merchant/redemptions/<int:pk>/", merchant.merchant_redemption, name="merchant_redemption"),
    # the union office's console
    path("console/welfare/merchants/", vouchers.merchant_list, name="merchant_list"),
    path("console/welfare/merchants/new/", vouchers.merchant_new, name="merchant_new"),
    path("console/welfare/merchants/<int:pk>/", vouchers.merchant_edit, name="merchant_edit"),
    path(
        "console/welfare/merchants/<int:pk>/cashiers/",
        vouchers.merchant_cashier_add,
        name="merchant_cashier_add",
    ),
    path(
        "console/welfare/merchants/<int:pk>/cashiers/<int:user_pk>/remove/",
        vouchers.merchant_cashier_remove,
        name="merchant_cashier_remove",
    ),
    path(
        "console/welfare/merchants/<int:pk>/reconciliation/", vouchers.reconciliation, name="reconciliation"
    ),
    path("console/welfare/merchants/<int:pk>/settle/", vouchers.settlement_new, name="settlement_new"),
    path("console/welfare/settlements/", vouchers.settlement_list, name="settlement_list"),
    path("console/welfare/settlements/<int:pk>/", vouchers.settlement_detail, name="settlement_detail"),
]

"""Hand-written Market payloads with the documented field names (``yandex-market.md`` §3.4, §6, §13)."""

ORDER = {
    "orderId": 51234567890,
    "campaignId": 21000123,
    "programType": "FBS",
    "status": "PROCESSING",
    "substatus": "STARTED",
    "creationDate": "2025-05-14T09:41:05+03:00",
    "updateDate": "2025-05-14T09:41:40+03:00",
    "paymentType": "PREPAID",
    "paymentMethod": "YANDEX",
    "fake": False,
    "items": [{
        "id": 800100200, "offerId": "TSHIRT-BLK-M", "offerName": "Футболка хлопковая чёрная, M", "count": 2,
        "prices": {"payment": {"value": 2380, "currencyId": "RUR"}, "subsidy": {"value": 220, "currencyId": "RUR"},
                   "cashback": {"value": 0, "currencyId": "RUR"}, "vat": "VAT_20"},
    }],
    "prices": {
        "payment": {"value": 2380, "currencyId": "RUR"}, "subsidy": {"value": 220, "currencyId": "RUR"},
        "cashback": {"value": 0, "currencyId": "RUR"},
        "delivery": {"payment": {"value": 99, "currencyId": "RUR"}, "subsidy": {"value": 0, "currencyId": "RUR"}},
    },
    "delivery": {
        "type": "PICKUP", "serviceName": "Доставка Маркета", "deliveryServiceId": 1005486,
        "deliveryPartnerType": "YANDEX_MARKET", "dispatchType": "MARKET_BRANDED_OUTLET", "warehouseId": "50101",
        "dates": {"fromDate": "2025-05-17", "toDate": "2025-05-18"},
        "shipment": {"id": 7700123, "shipmentDate": "2025-05-15"},
        "pickup": {"address": {"country": "Россия", "city": "Москва", "street": "Тверская улица", "house": "7"},
                   "region": {"id": 213, "name": "Москва", "type": "CITY"}, "logisticPointId": 10000012345},
    },
    "buyerType": "PERSON",
    "sourcePlatform": "MARKET",
}

RETURN = {
    "id": 3300221, "orderId": 51234567890,
    "creationDate": "2025-05-25T12:03:11+03:00", "updateDate": "2025-05-27T08:15:00+03:00",
    "returnType": "RETURN", "refundStatus": "REFUND_IN_PROGRESS", "shipmentStatus": "IN_TRANSIT",
    "amount": {"value": 1190, "currencyId": "RUR"}, "shipmentRecipientType": "SHOP", "fastReturn": False,
    "items": [{
        "marketSku": 101234567890, "shopSku": "TSHIRT-BLK-M", "count": 1,
        "decisions": [{"returnItemId": 9911, "count": 1, "reasonType": "DOES_NOT_FIT",
                       "subreasonType": "USER_DID_NOT_LIKE", "comment": "Маломерит", "images": ["a1b2c3d4"],
                       "amount": {"value": 1190, "currencyId": "RUR"}}],
        "instances": [{"stockType": "FIT", "status": "IN_TRANSIT"}],
    }],
}

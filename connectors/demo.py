"""The demo organization: a believable Russian seller on the four marketplaces, for ``seed_demo`` and ``make demo``.

Everything is generated from a fixed random seed, so two seeds of the same size at the same moment are identical;
order times are laid out relative to "now" so the demo always has fresh orders to ship. Stock only moves through
``inventory.services`` (receipts, then each order's reservation, shipment or release), so StockLevel equals the
ledger's sum. It lives in ``connectors`` because it is the one app allowed to call every other app's services.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from catalog.choices import BarcodeKind, ListingStatus, StockSyncState, VatRate
from catalog.models import Barcode, KitComponent, Listing, Product, Variant
from connectors.choices import Marketplace
from connectors.models import Connection, WarehouseLink
from inventory import services as stock
from inventory.choices import WarehouseKind
from inventory.models import Location, StockLevel, Warehouse
from inventory.services import StockLine
from oms.demo import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD
from oms.models import Organization
from oms.money import quantize
from oms.provisioning import provision_organization, transliterate
from oms.tenancy import organization_scope
from orders.choices import EventSource, OrderStatus, PaymentStatus, Scheme, StockState
from orders.models import Order, OrderEvent, OrderLine

DEMO_ORGANIZATION = "Okno Demo"
# The sandbox (``manage.py run_sandbox --port 9001``) serves WB on that port and Ozon, YM, AE on the next three.
SANDBOX_HOST = "http://127.0.0.1"
SANDBOX_PORT = 9001
SANDBOX_PORT_OFFSETS = {Marketplace.WB: 0, Marketplace.OZON: 1, Marketplace.YANDEX_MARKET: 2, Marketplace.ALIEXPRESS: 3}
DEFAULT_PRODUCTS = 200
DEFAULT_DAYS = 30
SEED = 20250601
MOSCOW = ZoneInfo("Europe/Moscow")


@dataclass
class SeedReport:
    organization: Organization
    owner_email: str
    seeded: bool  # False: the demo data was already there and nothing was added
    owner_created: list[str] = field(default_factory=list)  # user/membership/token created for the owner
    counts: dict[str, int] = field(default_factory=dict)


def seed_demo(
    *,
    owner_email: str | None = None,
    password: str | None = None,
    products: int = DEFAULT_PRODUCTS,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> SeedReport:
    """Create the demo organization and its data unless it already has data; make the owner its owner.

    Raises ``oms.provisioning.ProvisioningError`` when the owner exists with another password.
    """
    if owner_email is None:
        owner_email, password = DEMO_OWNER_EMAIL, password or DEMO_OWNER_PASSWORD
    provisioned = provision_organization(DEMO_ORGANIZATION, owner_email, password or "", check_password_strength=False)
    organization = provisioned.organization
    report = SeedReport(organization, provisioned.user.email, seeded=False, owner_created=provisioned.created)
    with organization_scope(organization):
        if Product.objects.exists() or Connection.objects.exists() or Warehouse.objects.exists():
            return report
        now = (now or timezone.now()).replace(second=0, microsecond=0)
        with transaction.atomic():
            report.counts = _Seeder(organization, random.Random(SEED), now, max(products, 4), max(days, 1)).run()
    report.seeded = True
    return report


# --- catalogue data -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of product the seller carries; products are kind × qualifier × brand."""

    code: str  # SKU prefix
    title: str
    category: str
    qualifiers: tuple[str, ...]
    price: tuple[int, int]  # roubles, smallest size
    weight: tuple[int, int]  # grams, packed
    box: tuple[int, int, int]  # mm, packed
    sizes: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()  # pool; each product takes a few
    colour_count: tuple[int, int] = (1, 1)
    size_step: float = 0.0  # larger sizes cost and weigh this much more per step
    materials: tuple[str, ...] = ()  # overrides the department's
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Department:
    key: str
    brands: tuple[str, ...]
    materials: tuple[str, ...]
    countries: tuple[str, ...]
    vat: str
    marked: bool
    kinds: tuple[Kind, ...]
    description: str  # format fields: title, brand, material
    lines: tuple[str, ...]  # product lines that tell a repeated kind × qualifier apart


WOMEN = ("XS", "S", "M", "L", "XL")
MEN = ("S", "M", "L", "XL", "XXL")
CLOTH_COLOURS = (
    "чёрный", "белый", "серый меланж", "бежевый", "тёмно-синий", "хаки", "молочный", "пудровый", "бордовый",
)
HOME_COLOURS = ("белый", "серый", "бежевый", "графит", "пыльная роза", "шалфей", "голубой", "терракотовый")
TECH_COLOURS = ("чёрный", "белый", "графит", "синий", "розовый")
PHONES = ("iPhone 13", "iPhone 14", "iPhone 15", "Galaxy A54", "Redmi Note 13")
# Household textiles are under Chestny ZNAK marking like clothing; the rest of the home department is not.
MARKED_HOME_TEXTILE = frozenset({"BED", "TWL", "KTW", "PLD"})
COLOUR_CODES = {
    "чёрный": "BLK", "белый": "WHT", "серый меланж": "GRM", "бежевый": "BEG", "тёмно-синий": "NVY", "хаки": "KHK",
    "молочный": "MLK", "пудровый": "PWD", "бордовый": "BRD", "серый": "GRY", "графит": "GRF", "пыльная роза": "RSE",
    "шалфей": "SGE", "голубой": "LBL", "терракотовый": "TRC", "синий": "BLU", "розовый": "PNK",
}

DEPARTMENTS: tuple[Department, ...] = (
    Department(
        key="clothing",
        brands=("Nordwell", "Урбан Лайн", "Linoria", "Север и Ко"),
        lines=("Essential", "Premium"),
        materials=(
            "хлопок 100%", "хлопок 95%, эластан 5%", "футер трёхнитка, хлопок 80%", "вискоза 70%, полиэстер 30%",
        ),
        countries=("Россия", "Россия", "Узбекистан", "Киргизия", "Турция"),
        vat=VatRate.VAT_20,
        marked=True,
        description="{title} от {brand}. Состав: {material}. Мягкая ткань не теряет форму после стирки. "
        "Уход: бережная стирка при 30 °C, не отбеливать.",
        kinds=(
            Kind("FTW", "Футболка женская", "Одежда > Женщинам > Футболки и топы",
                 ("оверсайз хлопковая", "базовая с круглым вырезом", "удлинённая с принтом", "укороченная в рубчик",
                  "с V-образным вырезом"), (790, 1490), (160, 220), (300, 250, 20), WOMEN, CLOTH_COLOURS, (1, 2),
                 attributes=(("Пол", "Женский"), ("Сезон", "Всесезон"))),
            Kind("FTM", "Футболка мужская", "Одежда > Мужчинам > Футболки",
                 ("базовая из хлопка", "оверсайз с принтом", "поло из пике", "спортивная дышащая"),
                 (890, 1690), (190, 260), (310, 260, 25), MEN, CLOTH_COLOURS, (1, 2),
                 attributes=(("Пол", "Мужской"), ("Сезон", "Всесезон"))),
            Kind("HDU", "Худи унисекс", "Одежда > Толстовки и свитшоты",
                 ("оверсайз на флисе", "с капюшоном и карманом-кенгуру", "на молнии", "утеплённое"),
                 (2490, 4290), (520, 720), (350, 300, 60), MEN, CLOTH_COLOURS, (1, 2),
                 attributes=(("Пол", "Унисекс"), ("Сезон", "Демисезон"))),
            Kind("SWW", "Свитшот женский", "Одежда > Женщинам > Толстовки и свитшоты",
                 ("оверсайз", "с вышивкой", "на флисе"), (1990, 3290), (420, 560), (330, 280, 50), WOMEN,
                 CLOTH_COLOURS, (1, 2), attributes=(("Пол", "Женский"), ("Сезон", "Демисезон"))),
            Kind("JNW", "Джинсы женские", "Одежда > Женщинам > Джинсы",
                 ("мом с высокой посадкой", "прямые", "широкие палаццо", "скинни"), (2490, 4490), (560, 720),
                 (380, 300, 50), ("25", "26", "27", "28", "29", "30"), ("голубой", "синий", "чёрный"), (1, 1),
                 attributes=(("Пол", "Женский"), ("Посадка", "Высокая")),
                 materials=("хлопок 98%, эластан 2%", "хлопок 100%")),
            Kind("TRM", "Брюки мужские", "Одежда > Мужчинам > Брюки",
                 ("карго", "чиносы", "спортивные джоггеры"), (2190, 3990), (480, 650), (380, 300, 45), MEN,
                 CLOTH_COLOURS, (1, 2), attributes=(("Пол", "Мужской"),)),
            Kind("DRS", "Платье женское", "Одежда > Женщинам > Платья",
                 ("летнее миди", "трикотажное оверсайз", "рубашка", "вечернее макси"), (1990, 4990), (280, 460),
                 (350, 280, 40), WOMEN, CLOTH_COLOURS, (1, 2), attributes=(("Пол", "Женский"),)),
            Kind("PJW", "Пижама женская", "Одежда > Женщинам > Домашняя одежда",
                 ("с шортами", "с брюками фланелевая", "сатиновая"), (1690, 3290), (300, 450), (320, 260, 50),
                 WOMEN, CLOTH_COLOURS, (1, 2), attributes=(("Пол", "Женский"), ("Комплектация", "Верх и низ"))),
            Kind("SCK", "Носки набор 5 пар", "Одежда > Бельё > Носки",
                 ("высокие из хлопка", "короткие спортивные", "тёплые шерстяные"), (490, 990), (120, 180),
                 (200, 120, 40), ("35-38", "39-42", "43-46"), ("чёрный", "белый", "серый меланж"), (1, 2),
                 attributes=(("Количество пар", "5"),),
                 materials=("хлопок 80%, полиамид 17%, эластан 3%",)),
            Kind("JCM", "Куртка мужская демисезонная", "Одежда > Мужчинам > Верхняя одежда",
                 ("стёганая", "ветровка с капюшоном", "бомбер"), (4990, 8990), (750, 1100), (450, 350, 90), MEN,
                 ("чёрный", "хаки", "тёмно-синий", "графит"), (1, 2),
                 attributes=(("Пол", "Мужской"), ("Сезон", "Демисезон")),
                 materials=("полиэстер 100%, утеплитель 100 г/м²", "нейлон 100%")),
            Kind("KID", "Футболка детская", "Одежда > Детям > Футболки",
                 ("с принтом", "базовая из хлопка"), (490, 890), (90, 130), (250, 200, 20),
                 ("98", "104", "110", "116", "122"), CLOTH_COLOURS, (1, 2), attributes=(("Возраст", "3–7 лет"),)),
            Kind("LGW", "Легинсы женские спортивные", "Одежда > Женщинам > Спортивная одежда",
                 ("с высокой талией", "с карманами", "бесшовные"), (1290, 2290), (180, 260), (280, 220, 30), WOMEN,
                 ("чёрный", "графит", "бордовый", "пудровый"), (1, 2), attributes=(("Пол", "Женский"),),
                 materials=("полиамид 80%, эластан 20%",)),
        ),
    ),
    Department(
        key="home",
        brands=("Уютный дом", "Ladoga Home", "Домовита", "Vasilisa Home"),
        lines=("Comfort", "Premium"),
        materials=(),
        countries=("Россия", "Россия", "Китай", "Турция", "Беларусь"),
        vat=VatRate.VAT_20,
        marked=False,
        description="{title} от {brand}. Материал: {material}. Подходит для ежедневного использования, "
        "легко ухаживать.",
        kinds=(
            Kind("BED", "Комплект постельного белья", "Дом > Текстиль > Постельное бельё",
                 ("сатин", "поплин", "страйп-сатин", "бязь", "перкаль", "варёный хлопок"), (2490, 3990),
                 (1200, 1500), (400, 300, 80), ("1,5-спальный", "2-спальный", "Евро", "Семейный"), HOME_COLOURS,
                 (1, 2), size_step=0.15, attributes=(("Наволочки", "70×70, 2 шт."),),
                 materials=("хлопок 100%",)),
            Kind("TWL", "Полотенце махровое", "Дом > Текстиль > Полотенца",
                 ("банное", "для рук и лица", "плотное 450 г/м²", "из бамбука"), (590, 1290), (250, 400),
                 (300, 200, 60), ("50×90", "70×140"), HOME_COLOURS, (1, 2), size_step=0.6,
                 materials=("хлопок 100%", "бамбук 60%, хлопок 40%")),
            Kind("PLD", "Плед", "Дом > Текстиль > Пледы и покрывала",
                 ("флисовый", "вязаный", "из микрофибры с рукавами"), (1290, 2990), (900, 1400), (400, 350, 100),
                 ("150×200", "200×220"), HOME_COLOURS, (1, 2), size_step=0.3,
                 materials=("полиэстер 100%", "акрил 100%")),
            Kind("PIL", "Подушка", "Дом > Текстиль > Подушки",
                 ("анатомическая с эффектом памяти", "с бамбуковым волокном", "лебяжий пух"), (990, 2990),
                 (700, 1100), (500, 400, 150), ("50×70", "70×70"), (), size_step=0.2,
                 materials=("чехол: хлопок 100%; наполнитель: полиэфирное волокно",)),
            Kind("KTW", "Набор кухонных полотенец", "Дом > Кухня > Текстиль",
                 ("вафельные 3 шт.", "хлопковые 5 шт."), (490, 890), (200, 300), (250, 200, 40), (), HOME_COLOURS,
                 (1, 2),
                 materials=("хлопок 100%", "лён 50%, хлопок 50%")),
            Kind("PAN", "Сковорода антипригарная", "Дом > Кухня > Посуда для готовки",
                 ("с крышкой", "гриль", "глубокая"), (1490, 3290), (900, 1500), (480, 300, 90),
                 ("24 см", "26 см", "28 см"), (), size_step=0.12,
                 attributes=(("Индукция", "Да"), ("Покрытие", "Гранитное")),
                 materials=("алюминий с антипригарным покрытием",)),
            Kind("POT", "Кастрюля", "Дом > Кухня > Посуда для готовки",
                 ("эмалированная с крышкой", "из нержавеющей стали"), (1290, 2990), (1300, 2100), (300, 300, 200),
                 ("2 л", "3 л", "5 л"), (), size_step=0.2, attributes=(("Индукция", "Да"),),
                 materials=("нержавеющая сталь AISI 304",)),
            Kind("CNT", "Набор контейнеров для хранения", "Дом > Кухня > Хранение продуктов",
                 ("стеклянных 3 шт.", "пластиковых 5 шт."), (690, 1590), (600, 1400), (300, 220, 150),
                 materials=("боросиликатное стекло, крышка — полипропилен",)),
            Kind("ORG", "Органайзер для хранения", "Дом > Хранение вещей",
                 ("с крышкой", "тканевый складной", "для косметики"), (390, 1190), (250, 600), (350, 250, 150), (),
                 HOME_COLOURS, (1, 2),
                 materials=("полипропилен", "полиэстер")),
            Kind("CND", "Свеча ароматическая", "Дом > Декор > Свечи",
                 ("в стакане", "соевая с деревянным фитилём"), (490, 1190), (250, 400), (110, 110, 120), (),
                 ("белый", "бежевый", "графит", "пыльная роза"), (1, 2),
                 attributes=(("Время горения", "40 ч"),),
                 materials=("соевый воск", "кокосовый воск")),
            Kind("MAT", "Коврик для ванной", "Дом > Ванная > Коврики",
                 ("противоскользящий", "с эффектом памяти"), (590, 1290), (400, 700), (400, 150, 150),
                 ("50×80", "60×100"), HOME_COLOURS, (1, 2), size_step=0.25,
                 materials=("микрофибра, основа — латекс",)),
            Kind("CRT", "Штора блэкаут", "Дом > Текстиль > Шторы",
                 ("однотонная", "на люверсах"), (1490, 2990), (800, 1200), (400, 300, 60), ("150×270", "200×270"),
                 HOME_COLOURS, (1, 2), size_step=0.25,
                 materials=("полиэстер 100%",)),
            Kind("MUG", "Термокружка", "Дом > Кухня > Термосы и термокружки",
                 ("из нержавеющей стали", "с крышкой-поилкой"), (790, 1690), (300, 420), (90, 90, 230),
                 ("350 мл", "500 мл"), ("чёрный", "белый", "шалфей", "пыльная роза"), (1, 2), size_step=0.15,
                 materials=("нержавеющая сталь AISI 304",)),
        ),
    ),
    Department(
        key="electronics",
        brands=("Voltrix", "Energon", "Nexo", "Квант"),
        lines=("Pro", "Lite"),
        materials=(),
        countries=("Китай",),
        vat=VatRate.VAT_20,
        marked=False,
        description="{title} от {brand}. Проверено на совместимость с популярными моделями. "
        "Гарантия производителя 12 месяцев.",
        kinds=(
            Kind("CBC", "Кабель USB-C – USB-C", "Электроника > Аксессуары > Кабели",
                 ("60 Вт", "100 Вт в оплётке", "магнитный"), (390, 990), (60, 90), (150, 100, 20), ("1 м", "2 м"),
                 ("чёрный", "белый"), (1, 2), size_step=0.2),
            Kind("CBL", "Кабель USB-A – Lightning", "Электроника > Аксессуары > Кабели",
                 ("в оплётке", "с быстрой зарядкой"), (390, 890), (50, 80), (150, 100, 20), ("1 м", "2 м"),
                 ("чёрный", "белый"), (1, 1), size_step=0.2),
            Kind("CHG", "Сетевое зарядное устройство", "Электроника > Аксессуары > Зарядные устройства",
                 ("20 Вт USB-C", "33 Вт GaN", "65 Вт GaN на 3 порта", "с двумя USB-A"), (690, 2990), (90, 180),
                 (110, 80, 50), (), ("чёрный", "белый"), (1, 2), attributes=(("Быстрая зарядка", "Да"),)),
            Kind("PWB", "Внешний аккумулятор", "Электроника > Аксессуары > Внешние аккумуляторы",
                 ("10000 мАч", "20000 мАч", "магнитный 5000 мАч"), (1490, 3490), (230, 450), (160, 90, 40), (),
                 TECH_COLOURS, (1, 2)),
            Kind("EAR", "Беспроводные наушники", "Электроника > Аудио > Наушники",
                 ("TWS с шумоподавлением", "спортивные", "накладные складные"), (1990, 5990), (120, 350),
                 (160, 120, 60), (), TECH_COLOURS, (1, 2), attributes=(("Bluetooth", "5.3"),)),
            Kind("CAS", "Чехол для смартфона", "Электроника > Аксессуары > Чехлы",
                 ("силиконовый", "прозрачный противоударный", "книжка из экокожи", "с MagSafe"), (390, 1290),
                 (40, 70), (190, 110, 25), PHONES, TECH_COLOURS, (1, 1)),
            Kind("GLS", "Защитное стекло", "Электроника > Аксессуары > Защитные стёкла",
                 ("полноэкранное 9H", "антишпион", "матовое"), (290, 790), (30, 50), (200, 110, 10), PHONES),
            Kind("HLD", "Автомобильный держатель для телефона", "Электроника > Автоэлектроника > Держатели",
                 ("магнитный на дефлектор", "с беспроводной зарядкой 15 Вт"), (590, 2490), (120, 300),
                 (150, 120, 80), (), ("чёрный",), (1, 1)),
            Kind("MOU", "Беспроводная мышь", "Электроника > Периферия > Мыши",
                 ("бесшумная", "игровая", "вертикальная эргономичная"), (690, 2490), (90, 160), (140, 100, 60), (),
                 ("чёрный", "белый", "графит"), (1, 2)),
            Kind("KBD", "Клавиатура беспроводная", "Электроника > Периферия > Клавиатуры",
                 ("мембранная", "механическая"), (1490, 4990), (450, 900), (460, 160, 45), (),
                 ("чёрный", "белый"), (1, 2), attributes=(("Раскладка", "Русская/английская"),)),
            Kind("SPK", "Портативная колонка Bluetooth", "Электроника > Аудио > Колонки",
                 ("влагозащищённая", "мини"), (1490, 3990), (300, 700), (180, 100, 100), (), TECH_COLOURS, (1, 2)),
            Kind("MSD", "Карта памяти microSDXC", "Электроника > Аксессуары > Карты памяти",
                 ("UHS-I U3 V30",), (590, 1490), (15, 25), (100, 70, 10), ("64 ГБ", "128 ГБ", "256 ГБ"),
                 size_step=0.6),
            Kind("LTS", "Подставка для ноутбука", "Электроника > Периферия > Подставки",
                 ("алюминиевая", "складная"), (990, 2490), (500, 900), (300, 250, 50), (), ("графит",), (1, 1)),
            Kind("WBD", "Ремешок для смарт-часов", "Электроника > Аксессуары > Ремешки",
                 ("силиконовый", "нейлоновый", "миланская петля"), (390, 990), (30, 60), (150, 60, 20),
                 ("41 мм", "45 мм"), TECH_COLOURS, (1, 2)),
        ),
    ),
    Department(
        key="cosmetics",
        brands=("Natura Vita", "Белая сирень", "Aurum Beauty", "Травы Алтая"),
        lines=("Professional", "Organic"),
        materials=(),
        countries=("Россия", "Россия", "Республика Корея", "Беларусь"),
        vat=VatRate.VAT_20,
        marked=True,
        description="{title} от {brand}. Подходит для ежедневного применения, без парабенов. "
        "Дерматологически протестировано.",
        kinds=(
            Kind("CRF", "Крем для лица", "Красота > Уход за лицом > Кремы",
                 ("увлажняющий с гиалуроновой кислотой", "ночной восстанавливающий", "дневной SPF 30",
                  "для чувствительной кожи"), (490, 1490), (90, 130), (70, 70, 70), ("50 мл",)),
            Kind("SRM", "Сыворотка для лица", "Красота > Уход за лицом > Сыворотки",
                 ("с витамином C", "с ниацинамидом", "с пептидами"), (590, 1690), (70, 100), (50, 50, 120),
                 ("30 мл",)),
            Kind("SHM", "Шампунь", "Красота > Уход за волосами > Шампуни",
                 ("для объёма", "для окрашенных волос", "против перхоти", "бессульфатный"), (290, 790),
                 (280, 330), (70, 50, 200), ("250 мл", "500 мл"), size_step=0.7),
            Kind("BLM", "Бальзам для волос", "Красота > Уход за волосами > Бальзамы",
                 ("восстанавливающий", "увлажняющий"), (290, 690), (280, 320), (70, 50, 200), ("250 мл",)),
            Kind("SGL", "Гель для душа", "Красота > Уход за телом > Гели для душа",
                 ("кокос и ваниль", "морская соль", "цитрусовый"), (190, 490), (280, 330), (70, 50, 200),
                 ("250 мл", "500 мл"), size_step=0.7),
            Kind("MSK", "Маски для лица тканевые, набор 10 шт.", "Красота > Уход за лицом > Маски",
                 ("увлажняющие", "очищающие"), (490, 990), (200, 260), (200, 150, 30)),
            Kind("PAT", "Патчи для глаз гидрогелевые", "Красота > Уход за лицом > Патчи",
                 ("с коллагеном", "с золотом"), (490, 1190), (120, 160), (90, 90, 40), ("60 шт.",)),
            Kind("LIP", "Бальзам для губ", "Красота > Уход за губами",
                 ("с маслом ши", "оттеночный"), (190, 490), (20, 30), (90, 30, 30), ()),
            Kind("MSC", "Тушь для ресниц", "Красота > Макияж > Глаза",
                 ("объёмная", "удлиняющая"), (390, 990), (30, 45), (130, 30, 30), (), ("чёрный",), (1, 1)),
            Kind("HCR", "Крем для рук", "Красота > Уход за телом > Руки",
                 ("питательный", "с мочевиной"), (190, 490), (60, 90), (40, 30, 150), ("50 мл", "75 мл"),
                 size_step=0.3),
            Kind("MCW", "Мицеллярная вода", "Красота > Уход за лицом > Очищение",
                 ("для всех типов кожи", "для снятия водостойкого макияжа"), (290, 690), (430, 470),
                 (70, 70, 210), ("400 мл",)),
            Kind("SCR", "Скраб для тела", "Красота > Уход за телом > Скрабы",
                 ("кофейный", "сахарный"), (390, 890), (250, 320), (90, 90, 80), ("200 мл",)),
            Kind("DEO", "Дезодорант", "Красота > Уход за телом > Дезодоранты",
                 ("шариковый", "спрей"), (190, 490), (70, 200), (60, 60, 160), ()),
            Kind("PRF", "Парфюмерная вода женская", "Красота > Парфюмерия",
                 ("цветочная", "древесная"), (1490, 3990), (250, 400), (110, 70, 140), ("50 мл", "100 мл"),
                 size_step=0.5),
            Kind("TPS", "Зубная паста", "Красота > Гигиена полости рта",
                 ("отбеливающая", "для чувствительных зубов"), (190, 390), (120, 140), (190, 45, 40), ("100 мл",)),
        ),
    ),
)


# Kits: title, SKU, component kind codes (each with a quantity).
KITS: tuple[tuple[str, str, tuple[tuple[str, int], ...]], ...] = (
    ("Подарочный набор «Уход за лицом»", "KIT-FACE", (("CRF", 1), ("SRM", 1), ("PAT", 1))),
    ("Подарочный набор «Для душа и волос»", "KIT-BATH", (("SHM", 1), ("BLM", 1), ("SGL", 1))),
    ("Набор «Всё для зарядки»", "KIT-CHRG", (("CHG", 1), ("CBC", 2))),
    ("Подарочный набор «Уютный вечер»", "KIT-COZY", (("PLD", 1), ("CND", 2))),
    ("Набор для кухни «Первая квартира»", "KIT-KTCH", (("PAN", 1), ("KTW", 1), ("CNT", 1))),
    ("Набор «Свежесть на весь день»", "KIT-FRSH", (("DEO", 1), ("TPS", 2), ("SGL", 1))),
)


# --- marketplaces ---------------------------------------------------------------------------------------------

# Per connection: name, demo credentials, non-secret account options, share of orders, schemes (weights),
# listing coverage, price factor against the base price, days to ship by scheme, delivery method label by scheme.
CONNECTIONS: tuple[dict, ...] = (
    {
        "marketplace": Marketplace.WB, "name": "Wildberries", "share": 45, "coverage": 0.92, "price_factor": 1.12,
        "credentials": {"token": "demo-wb-token-okno-0001"}, "options": {"supplier_id": "4213377"},
        "schemes": ((Scheme.FBS, 88), (Scheme.FBO, 12)),
        "warehouses": (("MSK", "1203456", "Склад продавца Москва"), ("POD", "1203457", "Склад продавца Подольск")),
        "fbo": ("WB-KOL", "Wildberries Коледино", "507", "Московская обл., г. Подольск, д. Коледино, ул. Троицкая, 20"),
        "handling_days": {Scheme.FBS: 1},
        "delivery": {Scheme.FBS: "Пункт выдачи Wildberries", Scheme.FBO: "Пункт выдачи Wildberries"},
    },
    {
        "marketplace": Marketplace.OZON, "name": "Ozon", "share": 30, "coverage": 0.85, "price_factor": 1.05,
        "credentials": {"client_id": "1874412", "api_key": "6b0e5c1a-2f3d-4e7b-9a18-c0d4e5f6a7b8"}, "options": {},
        "schemes": ((Scheme.FBS, 75), (Scheme.DBS, 10), (Scheme.FBO, 15)),
        "warehouses": (("MSK", "22113489765000", "Москва FBS"), ("POD", "22113489766000", "Подольск FBS")),
        "fbo": ("OZ-HOR", "Ozon Хоругвино", "15431806189000", "Московская обл., Солнечногорский р-н, д. Хоругвино"),
        "handling_days": {Scheme.FBS: 1, Scheme.DBS: 2},
        "delivery": {Scheme.FBS: "Ozon Логистика, пункт выдачи", Scheme.DBS: "Доставка силами продавца (rFBS)",
                     Scheme.FBO: "Ozon Логистика, пункт выдачи"},
    },
    {
        "marketplace": Marketplace.YANDEX_MARKET, "name": "Яндекс Маркет", "share": 15, "coverage": 0.7,
        "price_factor": 1.0, "credentials": {"api_key": "ACMA:demo-ym-okno:0001"},
        "options": {"business_id": 73125409, "campaign_id": 21876543},
        "schemes": ((Scheme.FBS, 60), (Scheme.DBS, 35), (Scheme.FBO, 5)),
        "warehouses": (("MSK", "981245", "Склад Москва"),),
        "fbo": None,
        "handling_days": {Scheme.FBS: 1, Scheme.DBS: 2},
        "delivery": {Scheme.FBS: "Яндекс Маркет, пункт выдачи", Scheme.DBS: "Курьер магазина",
                     Scheme.FBO: "Яндекс Маркет, пункт выдачи"},
    },
    {
        "marketplace": Marketplace.ALIEXPRESS, "name": "AliExpress", "share": 10, "coverage": 0.5,
        "price_factor": 0.97, "credentials": {"token": "demo-ae-x-auth-token-okno-0001"}, "options": {},
        "schemes": ((Scheme.FBS, 100),),
        "warehouses": (("MSK", "ae-msk-01", "Москва"),),
        "fbo": None,
        "handling_days": {Scheme.FBS: 2},
        "delivery": {Scheme.FBS: "Доставка AliExpress, пункт выдачи"},
    },
)

# Unified status → (marketplace status, substatus), as each API spells them.
MARKETPLACE_STATUS: dict[str, dict[str, tuple[str, str]]] = {
    Marketplace.WB: {
        OrderStatus.NEW: ("new", "waiting"), OrderStatus.CONFIRMED: ("confirm", "waiting"),
        OrderStatus.PICKING: ("confirm", "waiting"), OrderStatus.PACKED: ("confirm", "waiting"),
        OrderStatus.SHIPPED: ("complete", "sorted"), OrderStatus.DELIVERED: ("complete", "sold"),
        OrderStatus.CANCELLED: ("cancel", "canceled"), OrderStatus.RETURNED: ("complete", "canceled_by_client"),
    },
    Marketplace.OZON: {
        OrderStatus.NEW: ("awaiting_packaging", "posting_created"),
        OrderStatus.CONFIRMED: ("awaiting_packaging", "posting_created"),
        OrderStatus.PICKING: ("awaiting_packaging", "posting_created"),
        OrderStatus.PACKED: ("awaiting_deliver", "posting_transferring_to_delivery"),
        OrderStatus.SHIPPED: ("delivering", "posting_in_carriage"),
        OrderStatus.DELIVERED: ("delivered", "posting_received"),
        OrderStatus.CANCELLED: ("cancelled", "posting_canceled"),
        OrderStatus.RETURNED: ("delivered", "posting_received"),
    },
    Marketplace.YANDEX_MARKET: {
        OrderStatus.NEW: ("PROCESSING", "STARTED"), OrderStatus.CONFIRMED: ("PROCESSING", "STARTED"),
        OrderStatus.PICKING: ("PROCESSING", "STARTED"), OrderStatus.PACKED: ("PROCESSING", "READY_TO_SHIP"),
        OrderStatus.SHIPPED: ("DELIVERY", "DELIVERY_SERVICE_RECEIVED"),
        OrderStatus.DELIVERED: ("DELIVERED", "DELIVERY_SERVICE_DELIVERED"),
        OrderStatus.CANCELLED: ("CANCELLED", "USER_CHANGED_MIND"), OrderStatus.RETURNED: ("RETURNED", ""),
    },
    Marketplace.ALIEXPRESS: {
        OrderStatus.NEW: ("InProgress", "WaitSendGoods"), OrderStatus.CONFIRMED: ("InProgress", "WaitSendGoods"),
        OrderStatus.PICKING: ("InProgress", "WaitSendGoods"), OrderStatus.PACKED: ("InProgress", "WaitSendGoods"),
        OrderStatus.SHIPPED: ("InProgress", "WaitAcceptGoods"), OrderStatus.DELIVERED: ("Finished", "Finish"),
        OrderStatus.CANCELLED: ("Cancelled", "Close"), OrderStatus.RETURNED: ("Finished", "InIssue"),
    },
}
# WB reports FBO orders through its statistics API with its own vocabulary.
WB_FBO_STATUS = {OrderStatus.DELIVERED: "buyout", OrderStatus.CANCELLED: "cancel", OrderStatus.RETURNED: "return"}

CANCEL_REASONS = ("Покупатель отменил заказ", "Покупатель передумал", "Покупатель выбрал другой товар",
                  "Изменился адрес доставки")

MEN_NAMES = ("Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил",
             "Никита", "Иван", "Евгений", "Павел", "Роман")
WOMEN_NAMES = ("Анна", "Мария", "Елена", "Ольга", "Наталья", "Екатерина", "Татьяна", "Ирина", "Юлия", "Анастасия",
               "Дарья", "Светлана", "Ксения", "Виктория", "Полина")
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров")
# City, region, postcode prefix, weight.
CITIES = (
    ("Москва", "Москва", "1", 30), ("Санкт-Петербург", "Санкт-Петербург", "19", 12),
    ("Новосибирск", "Новосибирская обл.", "630", 4), ("Екатеринбург", "Свердловская обл.", "620", 4),
    ("Казань", "Республика Татарстан", "420", 4), ("Нижний Новгород", "Нижегородская обл.", "603", 4),
    ("Краснодар", "Краснодарский край", "350", 4), ("Самара", "Самарская обл.", "443", 3),
    ("Ростов-на-Дону", "Ростовская обл.", "344", 3), ("Воронеж", "Воронежская обл.", "394", 3),
    ("Подольск", "Московская обл.", "142", 3), ("Тула", "Тульская обл.", "300", 2),
    ("Уфа", "Республика Башкортостан", "450", 2), ("Пермь", "Пермский край", "614", 2),
    ("Челябинск", "Челябинская обл.", "454", 2),
)
STREETS = ("ул. Ленина", "ул. Гагарина", "пр-т Мира", "ул. Советская", "ул. Садовая", "ул. Молодёжная",
           "ул. Центральная", "ул. Школьная", "ул. Лесная", "ул. Набережная", "ул. Победы", "ул. Пушкина")

OWN_WAREHOUSES = (
    # code, name, address, zones: (zone, first aisle, aisles, racks per aisle, shelves per rack)
    ("MSK", "Склад Москва", "г. Москва, ул. Складочная, д. 1, стр. 3", (("A", 1, 6, 6, 4), ("B", 7, 2, 4, 2))),
    ("POD", "Склад Подольск", "Московская обл., г. Подольск, ул. Правды, д. 20, стр. 5", (("A", 1, 4, 5, 4),)),
)


# --- helpers --------------------------------------------------------------------------------------------------


def ean13(body: str) -> str:
    """``body`` (12 digits) plus its EAN-13 check digit."""
    if len(body) != 12 or not body.isdigit():
        raise ValueError("an EAN-13 body is 12 digits")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def shelf_price(amount: float) -> Decimal:
    """A price as a shop writes it: 1 290, 990, 349 — ending in 9 or 90."""
    if amount >= 1000:
        return Decimal(max(round(amount / 100) * 100 - 10, 990))
    return Decimal(max(round(amount / 10) * 10 - 1, 99))


def _code(text: str, length: int = 10) -> str:
    return re.sub(r"[^0-9A-Z]", "", transliterate(text).upper())[:length] or "X"


def sandbox_url(marketplace: str) -> str:
    return f"{SANDBOX_HOST}:{SANDBOX_PORT + SANDBOX_PORT_OFFSETS[marketplace]}"


def _next_wave(at: datetime) -> datetime:
    """The first picking wave (10:00 or 16:00 Moscow time) at or after ``at``."""
    local = at.astimezone(MOSCOW)
    for day in range(3):
        for hour in (10, 16):
            wave = datetime.combine(local.date() + timedelta(days=day), time(hour), tzinfo=MOSCOW)
            if wave >= local:
                return wave.astimezone(UTC)
    raise AssertionError("unreachable")


def _weighted(rng: random.Random, pairs) -> object:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class _Sku:
    """What the seeder remembers about a variant it made."""

    variant: Variant
    department: str
    kind: str
    popularity: float
    barcode: str = ""
    product_key: str = ""  # one WB card per product and colour


@dataclass
class _Plan:
    """An order before it is written: its timeline decides its status."""

    connection: Connection
    config: dict
    scheme: str
    ordered_at: datetime
    lines: list[tuple[_Sku, int, Decimal]]
    events: list[tuple[str, datetime]]
    ship_by: datetime | None
    warehouse: Warehouse | None
    cancel_reason: str = ""


# --- the seeder -----------------------------------------------------------------------------------------------


class _Seeder:
    def __init__(self, organization: Organization, rng: random.Random, now: datetime, products: int, days: int):
        self.org = organization
        self.rng = rng
        self.now = now
        self.product_count = products
        self.days = days
        self.skus: list[_Sku] = []
        self.by_id: dict[int, _Sku] = {}
        self.warehouses: dict[str, Warehouse] = {}
        self.bins: dict[str, list[Location]] = {}
        self.connections: list[tuple[Connection, dict]] = []
        self.fbo_warehouses: dict[int, Warehouse] = {}
        self.listings: dict[int, list[Listing]] = {}  # connection id → listings
        self.listing_of: dict[tuple[int, int], Listing] = {}  # (connection id, variant id) → listing
        self._choice_cache: dict[tuple[int, bool], tuple[list[Listing], list[float]]] = {}
        self._barcode_seq = 10_000_000 + rng.randrange(1_000_000)
        self._ids = {"wb": 3_104_000_000 + rng.randrange(100_000), "ozon": 38_000_000 + rng.randrange(1_000_000),
                     "yandex_market": 51_240_000_000 + rng.randrange(1_000_000),
                     "aliexpress": 5_120_000_000_000_000 + rng.randrange(10_000_000)}

    def run(self) -> dict[str, int]:
        self._catalogue()
        self._kits()
        self._warehouses()
        self._connections()
        # Stock arrives before the listings exist, so receipts wake no pushes; each listing is created waiting
        # for its first push instead.
        self._receive_stock()
        self._listings()
        orders = self._orders()
        self._assign_bins()
        return {
            "products": Product.objects.count(),
            "variants": Variant.objects.count(),
            "kits": Variant.objects.filter(is_kit=True).count(),
            "warehouses": Warehouse.objects.count(),
            "bins": Location.objects.count(),
            "connections": Connection.objects.count(),
            "listings": Listing.objects.count(),
            "orders": orders,
        }

    # -- catalogue ---------------------------------------------------------------------------------------------

    def _product_slots(self) -> list[tuple[Department, Kind, str, str]]:
        """``product_count`` (department, kind, qualifier, brand), spread evenly over the departments."""
        per_department = []
        for department in DEPARTMENTS:
            pool = [(kind, qualifier) for kind in department.kinds for qualifier in kind.qualifiers]
            slots = []
            round_no = 0
            target = math.ceil(self.product_count / len(DEPARTMENTS))
            while len(slots) < target:
                order = pool[:]
                self.rng.shuffle(order)
                # A second round is another product line of another brand, not the same card twice.
                line = department.lines[(round_no - 1) % len(department.lines)] if round_no else ""
                for kind, qualifier in order:
                    brand = department.brands[(round_no + len(slots)) % len(department.brands)]
                    slots.append((department, kind, f"{qualifier} {line}".strip(), brand))
                round_no += 1
            per_department.append(slots[:target])
        interleaved = [slot for group in zip(*per_department, strict=True) for slot in group]
        return interleaved[: self.product_count]

    def _catalogue(self) -> None:
        rng = self.rng
        products: list[Product] = []
        plans = []
        serial: dict[str, int] = {}
        for department, kind, qualifier, brand in self._product_slots():
            serial[kind.code] = serial.get(kind.code, 0) + 1
            base = rng.uniform(*kind.price)
            weight = rng.randint(*kind.weight)
            materials = kind.materials or department.materials
            material = rng.choice(materials) if materials else ""
            title = f"{kind.title} {qualifier}"
            attributes = {"Бренд": brand, **dict(kind.attributes)}
            if material:
                attributes["Состав"] = material
            price = shelf_price(base)
            cost = quantize(price * Decimal(str(round(rng.uniform(0.38, 0.55), 2))))
            product = Product(
                organization=self.org, title=title, brand=brand, category=kind.category,
                description=department.description.format(title=title, brand=brand, material=material),
                attributes=attributes, vat_rate=VatRate.VAT_10 if kind.code == "KID" else department.vat,
                is_marked=department.marked or kind.code in MARKED_HOME_TEXTILE,
                country_of_origin=rng.choice(department.countries), weight_g=weight,
                length_mm=kind.box[0], width_mm=kind.box[1], height_mm=kind.box[2], cost_price=cost,
            )
            products.append(product)
            plans.append((department, kind, product, price, cost, serial[kind.code]))
        Product.objects.bulk_create(products)

        variants: list[Variant] = []
        metas: list[_Sku] = []
        for department, kind, product, price, cost, number in plans:
            colours = [""]
            if kind.colours:
                colours = rng.sample(kind.colours, min(len(kind.colours), rng.randint(*kind.colour_count)))
            sizes = kind.sizes or ("",)
            popularity = rng.paretovariate(1.6)
            for colour in colours:
                for step, size in enumerate(sizes):
                    factor = 1 + kind.size_step * step
                    parts = [f"{kind.code}{number:03d}", COLOUR_CODES.get(colour, "") if colour else "",
                             _code(size) if size else ""]
                    variant = Variant(
                        organization=self.org, product=product, sku="-".join(p for p in parts if p), size=size,
                        colour=colour, price=shelf_price(float(price) * factor) if step else price,
                        cost_price=quantize(cost * Decimal(str(factor))) if step else None,
                        weight_g=int(product.weight_g * factor) if step else None,
                    )
                    variants.append(variant)
                    # Middle sizes sell best.
                    size_weight = 1.0 if not kind.sizes else 1.6 - abs(step - (len(sizes) - 1) / 2) / len(sizes)
                    metas.append(_Sku(variant, department.key, kind.code, popularity * size_weight,
                                      product_key=f"{product.pk}:{colour}"))
        Variant.objects.bulk_create(variants)
        self.skus = metas
        self.by_id = {meta.variant.pk: meta for meta in metas}
        self._barcodes(metas)

    def _barcodes(self, metas: list[_Sku]) -> None:
        rows = []
        for meta in metas:
            self._barcode_seq += 1
            meta.barcode = ean13(f"46{self._barcode_seq:010d}")
            rows.append(
                Barcode(organization=self.org, variant=meta.variant, value=meta.barcode, kind=BarcodeKind.EAN13)
            )
        Barcode.objects.bulk_create(rows)

    def _kits(self) -> None:
        by_kind: dict[str, list[_Sku]] = {}
        by_department: dict[str, list[_Sku]] = {}
        for meta in self.skus:
            by_kind.setdefault(meta.kind, []).append(meta)
            by_department.setdefault(meta.department, []).append(meta)
        department_of = {kind.code: d.key for d in DEPARTMENTS for kind in d.kinds}
        kit_count = max(2, min(len(KITS), self.product_count // 40))
        made: list[tuple[Variant, list[tuple[_Sku, int]]]] = []
        for title, sku, parts in KITS[:kit_count]:
            # A small catalogue may lack a kind: take another product of the same department instead.
            chosen: dict[int, tuple[_Sku, int]] = {}
            for code, qty in parts:
                pool = by_kind.get(code) or by_department.get(department_of[code]) or self.skus
                meta = self.rng.choice(pool)
                chosen.setdefault(meta.variant.pk, (meta, qty))
            components = list(chosen.values())
            if len(components) < 2:
                continue
            price = shelf_price(sum(float(c.variant.price) * q for c, q in components) * 0.9)
            cost = quantize(sum(c.variant.effective_cost_price * q for c, q in components))
            weight = sum((c.variant.effective_weight_g or 0) * q for c, q in components) + 150
            product = Product.objects.create(
                organization=self.org, title=title, brand="Okno Gifts", category="Подарочные наборы",
                description=f"{title}: " + ", ".join(f"{c.variant.display_name} × {q}" for c, q in components) + ".",
                attributes={"Состав набора": ", ".join(c.variant.product.title for c, _q in components)},
                vat_rate=VatRate.VAT_20, country_of_origin="Россия", weight_g=weight, length_mm=300, width_mm=250,
                height_mm=120, cost_price=cost,
            )
            kit = Variant.objects.create(organization=self.org, product=product, sku=sku, price=price, is_kit=True)
            made.append((kit, components))
        KitComponent.objects.bulk_create(
            [KitComponent(organization=self.org, kit=kit, component=c.variant, quantity=q)
             for kit, components in made for c, q in components]
        )
        kit_metas = [_Sku(kit, "kits", "KIT", 0.8, product_key=f"{kit.product_id}:") for kit, _c in made]
        self._barcodes(kit_metas)
        self.skus.extend(kit_metas)
        self.by_id.update({meta.variant.pk: meta for meta in kit_metas})

    # -- warehouses and bins -----------------------------------------------------------------------------------

    def _warehouses(self) -> None:
        for code, name, address, zones in OWN_WAREHOUSES:
            warehouse = Warehouse.objects.create(organization=self.org, name=name, code=code, address=address)
            self.warehouses[code] = warehouse
            bins = []
            walk = 0
            for zone, first_aisle, aisles, racks, shelves in zones:
                for a in range(aisles):
                    aisle = first_aisle + a
                    # S-shaped route: up one aisle, down the next, so the picker never walks back empty.
                    rack_order = range(1, racks + 1) if a % 2 == 0 else range(racks, 0, -1)
                    for rack in rack_order:
                        for shelf in range(1, shelves + 1):
                            walk += 10  # gaps leave room to insert bins later without renumbering
                            bins.append(Location(
                                organization=self.org, warehouse=warehouse,
                                code=f"{zone}-{aisle:02d}-{rack:02d}-{shelf}", zone=zone, aisle=f"{aisle:02d}",
                                rack=f"{rack:02d}", shelf=str(shelf), walk_order=walk,
                            ))
            Location.objects.bulk_create(bins)
            self.bins[code] = bins

    # -- connections and listings ------------------------------------------------------------------------------

    def _connections(self) -> None:
        for config in CONNECTIONS:
            connection = Connection.objects.create(
                organization=self.org, marketplace=config["marketplace"], name=config["name"],
                credentials=config["credentials"], base_url=sandbox_url(config["marketplace"]), options=config["options"],
            )
            self.connections.append((connection, config))
            WarehouseLink.objects.bulk_create([
                WarehouseLink(organization=self.org, connection=connection, warehouse=self.warehouses[code],
                              external_id=external_id, external_name=external_name)
                for code, external_id, external_name in config["warehouses"]
            ])
            if config["fbo"]:
                code, name, external_id, address = config["fbo"]
                self.fbo_warehouses[connection.pk] = Warehouse.objects.create(
                    organization=self.org, name=name, code=code, kind=WarehouseKind.FBO, connection=connection,
                    external_id=external_id, address=address,
                )

    def _listings(self) -> None:
        rng = self.rng
        rows: list[Listing] = []
        for connection, config in self.connections:
            marketplace = config["marketplace"]
            card_ids: dict[str, int] = {}
            for meta in self.skus:
                if meta.variant.is_kit and marketplace not in (Marketplace.WB, Marketplace.OZON):
                    continue
                if rng.random() > config["coverage"]:
                    continue
                variant = meta.variant
                price = shelf_price(float(variant.price) * config["price_factor"])
                old_price = None
                if rng.random() < 0.6:  # a crossed-out price: the usual marketplace "discount"
                    old_price = shelf_price(float(price) / rng.choice((0.7, 0.75, 0.8, 0.85)))
                card = card_ids.setdefault(meta.product_key, rng.randrange(100_000_000, 300_000_000))
                external = {
                    Marketplace.WB: (str(card), str(rng.randrange(300_000_000, 500_000_000)), meta.barcode),
                    Marketplace.OZON: (str(rng.randrange(800_000_000, 999_999_999)),
                                       str(rng.randrange(1_500_000_000, 1_900_000_000)), variant.sku),
                    Marketplace.YANDEX_MARKET: ("", str(rng.randrange(101_000_000_000, 103_000_000_000)), variant.sku),
                    Marketplace.ALIEXPRESS: (str(1_005_006_000_000_000 + card),
                                             str(rng.randrange(12_000_000_000_000, 12_999_999_999_999)), variant.sku),
                }[marketplace]
                status = _weighted(rng, ((ListingStatus.ACTIVE, 90), (ListingStatus.INACTIVE, 5),
                                         (ListingStatus.PENDING, 3), (ListingStatus.BLOCKED, 2)))
                rows.append(Listing(
                    organization=self.org, variant=variant, connection=connection, offer_id=variant.sku,
                    external_product_id=external[0], external_sku=external[1], stock_key=external[2], price=price,
                    old_price=old_price, status=status, sync_state=StockSyncState.PENDING, stock_dirty_at=self.now,
                ))
        Listing.objects.bulk_create(rows)
        for listing in rows:
            self.listings.setdefault(listing.connection_id, []).append(listing)
            self.listing_of[(listing.connection_id, listing.variant_id)] = listing

    # -- stock -------------------------------------------------------------------------------------------------

    def _receive_stock(self) -> None:
        rng = self.rng
        msk, pod = self.warehouses["MSK"], self.warehouses["POD"]
        for meta in self.skus:
            if meta.variant.is_kit:
                continue  # a kit's stock is its components'
            depth = 2.0 if meta.department == "cosmetics" else 1.0
            plan = []
            if rng.random() < 0.93:
                plan.append((msk, max(1, int(rng.randint(6, 40) * depth * min(meta.popularity, 2.5)))))
            if rng.random() < 0.45:
                plan.append((pod, max(1, int(rng.randint(3, 25) * depth))))
            for fbo in self.fbo_warehouses.values():
                if rng.random() < 0.1:
                    plan.append((fbo, rng.randint(5, 60)))
            for warehouse, quantity in plan:
                fbo = warehouse.kind == WarehouseKind.FBO
                reason = "Поставка FBO на склад маркетплейса" if fbo else "Поставка от поставщика"
                stock.receive(
                    variant=meta.variant, warehouse=warehouse, quantity=quantity, reason=reason,
                    reference=f"ПН-{warehouse.code}-{meta.variant.product_id:05d}",
                    idempotency_key=f"demo:receipt:{warehouse.code}:{meta.variant.sku}",
                )

    def _assign_bins(self) -> None:
        """Give every stocked variant its main bin, along the route in catalogue order.

        Only ``StockLevel.location`` is written here — which bin holds the goods; quantities stay the ledger's.
        """
        for code, bins in self.bins.items():
            warehouse = self.warehouses[code]
            levels = list(
                StockLevel.objects.filter(warehouse=warehouse).select_related("variant__product").order_by("variant__sku")
            )
            if not levels:
                continue
            regular = [b for b in bins if b.zone == "A"]
            bulky = [b for b in bins if b.zone != "A"] or regular
            for i, level in enumerate(levels):
                heavy = (level.variant.effective_weight_g or 0) >= 1000
                pool = bulky if heavy else regular
                level.location = pool[i * len(pool) // len(levels)]
            StockLevel.objects.bulk_update(levels, ["location"], batch_size=500)

    # -- orders ------------------------------------------------------------------------------------------------

    def _orders(self) -> int:
        plans = sorted(self._plan_orders(), key=lambda p: p.ordered_at)
        orders, lines, events = [], [], []
        for plan in plans:
            orders.append(self._order(plan))
        Order.objects.bulk_create(orders)
        for order, plan in zip(orders, plans, strict=True):
            for meta, quantity, price in plan.lines:
                listing = self.listing_of.get((plan.connection.pk, meta.variant.pk))
                lines.append(OrderLine(
                    organization=self.org, order=order, variant=meta.variant, listing=listing,
                    external_line_id=listing.external_sku if listing else "",
                    offer_id=listing.offer_id if listing else "",
                    sku=meta.variant.sku, name=meta.variant.display_name, quantity=quantity, price=price,
                    total=price * quantity,
                ))
            for status, at in plan.events:
                mp_status, _sub = self._marketplace_status(plan, status)
                events.append(OrderEvent(
                    organization=self.org, order=order, status=status, marketplace_status=mp_status,
                    source=EventSource.POLL, occurred_at=at,
                    message=plan.cancel_reason if status == OrderStatus.CANCELLED else "",
                ))
        OrderLine.objects.bulk_create(lines)
        OrderEvent.objects.bulk_create(events)
        lines_of: dict[int, list[OrderLine]] = {}
        for line in lines:
            lines_of.setdefault(line.order_id, []).append(line)
        moved = [order for order in orders if order.scheme != Scheme.FBO]
        for order in moved:
            order.stock_state = self._move_stock(order, lines_of[order.pk])
        Order.objects.bulk_update(moved, ["stock_state"], batch_size=500)
        return len(orders)

    def _plan_orders(self) -> list[_Plan]:
        rng = self.rng
        per_day = max(3, round(self.product_count * 0.1))
        start = self.now - timedelta(days=self.days)
        plans = []
        for day in range(self.days + 1):
            date = (start + timedelta(days=day)).astimezone(MOSCOW).date()
            weekend = date.weekday() >= 5
            growth = 0.8 + 0.4 * day / self.days  # the shop is growing
            count = max(1, round(per_day * growth * (1.25 if weekend else 1.0) * rng.uniform(0.8, 1.2)))
            for _ in range(count):
                # Daytime-heavy ordering, in Moscow time.
                hour = _weighted(rng, [(h, 1 if h < 7 else 3 if h < 10 else 5 if h < 23 else 2) for h in range(24)])
                local = datetime.combine(date, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=MOSCOW)
                ordered_at = local.astimezone(UTC)
                if ordered_at >= self.now or ordered_at < start:
                    continue
                connection, config = _weighted(rng, [((c, cfg), cfg["share"]) for c, cfg in self.connections])
                if not self.listings.get(connection.pk):
                    continue
                plans.append(self._plan(connection, config, ordered_at))
        return plans

    def _plan(self, connection: Connection, config: dict, ordered_at: datetime) -> _Plan:
        rng = self.rng
        scheme = _weighted(rng, config["schemes"])
        listings, weights = self._choices(connection.pk, fbo=scheme == Scheme.FBO)
        # WB: one assembly task is one unit.
        line_count = 1 if config["marketplace"] == Marketplace.WB else _weighted(rng, ((1, 75), (2, 20), (3, 5)))
        chosen: dict[int, tuple[_Sku, int, Decimal]] = {}
        for listing in rng.choices(listings, weights=weights, k=line_count):
            quantity = 1 if config["marketplace"] == Marketplace.WB else _weighted(rng, ((1, 85), (2, 12), (3, 3)))
            chosen[listing.variant_id] = (self.by_id[listing.variant_id], quantity, listing.price)
        if scheme == Scheme.FBO:
            warehouse = self.fbo_warehouses.get(connection.pk)
        else:
            codes = [code for code, _id, _name in config["warehouses"]]
            warehouse = self.warehouses[_weighted(rng, [(c, 7 if c == "MSK" else 3) for c in codes])]
        events, ship_by, reason = self._timeline(scheme, ordered_at, config["handling_days"])
        return _Plan(connection, config, scheme, ordered_at, list(chosen.values()), events, ship_by, warehouse,
                     cancel_reason=reason)

    def _choices(self, connection_id: int, *, fbo: bool) -> tuple[list[Listing], list[float]]:
        """The listings an order can pick from, weighted by popularity (kits never ship from FBO)."""
        cache = self._choice_cache
        if (connection_id, fbo) not in cache:
            listings = self.listings[connection_id]
            if fbo:
                listings = [li for li in listings if not self.by_id[li.variant_id].variant.is_kit] or listings
            cache[(connection_id, fbo)] = (listings, [self.by_id[li.variant_id].popularity for li in listings])
        return cache[(connection_id, fbo)]

    def _timeline(
        self, scheme: str, t0: datetime, handling_days: dict[str, int]
    ) -> tuple[list[tuple[str, datetime]], datetime | None, str]:
        """The order's whole life from ``t0``; only what has happened by now is kept, so age decides status."""
        rng = self.rng

        def minutes(low: float, high: float) -> timedelta:
            return timedelta(seconds=round(rng.uniform(low, high) * 60))

        if scheme == Scheme.FBO:
            packed = t0 + minutes(120, 720)
            shipped = packed + minutes(120, 720)
            life = [(OrderStatus.NEW, t0), (OrderStatus.PACKED, packed), (OrderStatus.SHIPPED, shipped),
                    (OrderStatus.DELIVERED, shipped + minutes(24 * 60, 4 * 24 * 60))]
            ship_by = None
        else:
            # Ship by 14:00 Moscow time one or two days later (the marketplace's handling time); most are handed
            # over before the deadline, a few late. Staff pick in two waves a day, at 10:00 and 16:00.
            days = handling_days.get(scheme, 1)
            local = t0.astimezone(MOSCOW)
            ship_by = datetime.combine(local.date() + timedelta(days=days), time(14), tzinfo=MOSCOW).astimezone(UTC)
            shipped = ship_by - minutes(30, 150) if rng.random() > 0.05 else ship_by + minutes(60, 300)
            confirmed = t0 + minutes(5, 180)
            picking = _next_wave(confirmed + timedelta(minutes=10))
            packed = min(picking + minutes(20, 120), shipped - minutes(5, 20))
            picking = min(picking, packed - minutes(5, 15))
            delivery_days = (12 * 60, 2 * 24 * 60) if scheme == Scheme.DBS else (24 * 60, 5 * 24 * 60)
            life = [(OrderStatus.NEW, t0), (OrderStatus.CONFIRMED, confirmed), (OrderStatus.PICKING, picking),
                    (OrderStatus.PACKED, packed), (OrderStatus.SHIPPED, shipped),
                    (OrderStatus.DELIVERED, shipped + minutes(*delivery_days))]
            # Each step after the one before, however the random draws fell.
            for i in range(1, len(life)):
                if life[i][1] <= life[i - 1][1]:
                    life[i] = (life[i][0], life[i - 1][1] + minutes(1, 10))
        reason = ""
        if rng.random() < 0.06:
            # Cancelled before it left the warehouse: the reservation is released.
            shipped_at = dict(life)[OrderStatus.SHIPPED]
            cancelled = t0 + (shipped_at - t0) * rng.uniform(0.05, 0.95)
            life = [(s, at) for s, at in life if at < cancelled] + [(OrderStatus.CANCELLED, cancelled)]
            reason = rng.choice(CANCEL_REASONS)
        elif rng.random() < 0.04:
            delivered = dict(life)[OrderStatus.DELIVERED]
            life.append((OrderStatus.RETURNED, delivered + minutes(24 * 60, 6 * 24 * 60)))
        return [(s, at) for s, at in life if at <= self.now], ship_by, reason

    def _marketplace_status(self, plan: _Plan, status: str) -> tuple[str, str]:
        marketplace = plan.config["marketplace"]
        if marketplace == Marketplace.WB and plan.scheme == Scheme.FBO:
            return WB_FBO_STATUS.get(status, "created"), ""
        if marketplace == Marketplace.YANDEX_MARKET and plan.scheme == Scheme.DBS and status == OrderStatus.NEW:
            return "PENDING", "AWAIT_CONFIRMATION"
        return MARKETPLACE_STATUS[marketplace][status]

    def _external_id(self, marketplace: str) -> tuple[str, str]:
        """(id the API addresses the order by, number people see)."""
        self._ids[marketplace] += self.rng.randint(1, 900)
        value = self._ids[marketplace]
        if marketplace == Marketplace.OZON:
            posting = f"{value:08d}-{self.rng.randint(1, 9999):04d}-1"
            return posting, posting
        return str(value), str(value)

    def _order(self, plan: _Plan) -> Order:
        rng = self.rng
        status = plan.events[-1][0]
        at = dict(plan.events)
        marketplace = plan.config["marketplace"]
        external_id, number = self._external_id(marketplace)
        mp_status, mp_substatus = self._marketplace_status(plan, status)
        woman = rng.random() < 0.65
        first = rng.choice(WOMEN_NAMES if woman else MEN_NAMES)
        surname = rng.choice(SURNAMES) + ("а" if woman else "")
        city, region, postcode, _w = _weighted(rng, [(c, c[3]) for c in CITIES])
        postcode = (postcode + "".join(str(rng.randrange(10)) for _ in range(6)))[:6]
        street = f"{rng.choice(STREETS)}, д. {rng.randint(1, 120)}"
        if plan.scheme == Scheme.DBS:
            address = f"{postcode}, {region}, г. {city}, {street}, кв. {rng.randint(1, 240)}"
            phone = f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
            delivery_total = Decimal(rng.choice((0, 0, 199, 299)))
        else:
            address = f"{plan.config['delivery'][plan.scheme]}: г. {city}, {street}"
            phone = ""
            delivery_total = Decimal(0)
        items_total = sum((price * qty for _m, qty, price in plan.lines), Decimal(0))
        discount_total = Decimal(0)
        if rng.random() < 0.15:  # a seller's promo code
            discount_total = quantize(items_total * Decimal(rng.choice((5, 10))) / 100)
        cash_on_delivery = marketplace == Marketplace.YANDEX_MARKET and plan.scheme == Scheme.DBS and rng.random() < 0.3
        if status in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
            unpaid = cash_on_delivery and status == OrderStatus.CANCELLED
            payment = PaymentStatus.POSTPAID if unpaid else PaymentStatus.REFUNDED
        elif status == OrderStatus.DELIVERED:
            payment = PaymentStatus.PAID
        else:
            payment = PaymentStatus.POSTPAID if cash_on_delivery else PaymentStatus.PREPAID
        return Order(
            organization=self.org, connection=plan.connection, external_id=external_id, number=number,
            scheme=plan.scheme, status=status, marketplace_status=mp_status, marketplace_substatus=mp_substatus,
            stock_state=StockState.EXTERNAL if plan.scheme == Scheme.FBO else StockState.NOT_RESERVED,
            warehouse=plan.warehouse, buyer_name=f"{first} {surname}", buyer_phone=phone, delivery_address=address,
            delivery_details={"city": city, "region": region, "postcode": postcode},
            delivery_method=plan.config["delivery"][plan.scheme], payment_status=payment, ordered_at=plan.ordered_at,
            ship_by=plan.ship_by, shipped_at=at.get(OrderStatus.SHIPPED), delivered_at=at.get(OrderStatus.DELIVERED),
            cancelled_at=at.get(OrderStatus.CANCELLED), cancel_reason=plan.cancel_reason,
            items_total=items_total, delivery_total=delivery_total, discount_total=discount_total,
            total=items_total + delivery_total - discount_total,
        )

    def _move_stock(self, order: Order, lines: list[OrderLine]) -> str:
        """What the order did to our stock: reserved on arrival, then shipped or released."""
        stock_lines = [StockLine(line.variant_id, line.quantity, line.pk) for line in lines]
        key = f"order:{order.pk}"
        reservation = stock.reserve(warehouse=order.warehouse, lines=stock_lines, order_id=order.pk, key_prefix=key)
        if not reservation.ok:
            # The seller restocked in time: a supplier delivery covers the shortage, then the order is held.
            for shortage in reservation.shortages:
                stock.receive(
                    variant=self.by_id[shortage.variant_id].variant,
                    warehouse=order.warehouse,
                    quantity=shortage.requested - shortage.available + self.rng.randint(5, 20),
                    reason="Допоставка от поставщика", reference=f"ПН-{order.warehouse.code}-{order.number}",
                    idempotency_key=f"demo:replenish:{key}:{shortage.variant_id}",
                )
            reservation = stock.reserve(warehouse=order.warehouse, lines=stock_lines, order_id=order.pk, key_prefix=key)
        state = StockState.RESERVED if reservation.ok else StockState.OVERSOLD
        if reservation.ok and order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED):
            stock.ship(warehouse=order.warehouse, lines=stock_lines, order_id=order.pk, key_prefix=key)
            state = StockState.SHIPPED
        elif reservation.ok and order.status == OrderStatus.CANCELLED:
            stock.release(warehouse=order.warehouse, lines=stock_lines, order_id=order.pk, key_prefix=key,
                          reason=order.cancel_reason)
            state = StockState.RELEASED
        return state


def describe(report: SeedReport) -> list[str]:
    """Lines for the operator."""
    lines = [f"Created {item}" for item in report.owner_created]
    if report.seeded:
        counts = ", ".join(f"{value} {name}" for name, value in report.counts.items())
        lines.append(f"Seeded {report.organization.name!r}: {counts}.")
    else:
        lines.append(f"Demo organization {report.organization.name!r} already has its data: nothing seeded.")
    return lines


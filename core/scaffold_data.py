"""What ``portal new-plugin`` knows of a country and of a language, in one place.

:data:`COUNTRIES` holds, per country, what its demo customers look like: towns with their
postcodes and streets, names, the VAT rate on energy, the code of its supply points (the
GS1 prefix of a GSRN, an EIC, an Italian POD/PDR), the network operators, the currency, the
time zone and the language. :data:`DOCUMENT_WORDS` holds, per portal language, the words an
invoice prints (its labels, the charges, the demo notice). A country that is not listed
gets :data:`GENERIC`: English names, GS1 prefix 200 (numbers for use within one company,
never a real supply point) and a VAT rate the generated code asks to check.

Everything here is invented for demo data: no town, street or person is meant to be real.
"""

from __future__ import annotations

from dataclasses import dataclass

GSRN18, EIC, POD_PDR = "gsrn18", "eic", "pod_pdr"
"""How a country's supply points are numbered: an 18-digit GS1 GSRN (Polish PPE, Czech
EAN), a 16-character EIC (Ukrainian metering points), an Italian POD (electricity) or PDR (gas)."""


@dataclass(frozen=True)
class Town:
    """A town: its postcodes, its own streets (or the country's village streets), its network.

    ``grid`` is ``"city"`` (the operator that takes readings online) or ``"regional"``.
    """

    name: str
    postcodes: tuple[str, ...]
    grid: str = "city"
    gas: bool = True
    streets: tuple[str, ...] = ()
    weight: int = 1


@dataclass(frozen=True)
class Operators:
    """The names of the demo's three network operators and the start of their supply point codes.

    The prefixes are the country's part of the code (``590`` for Poland's GSRNs, ``62Z`` for
    Ukraine's EICs, ``IT`` for Italy's PODs) followed by the operator's own digits.
    """

    city_grid: str
    regional_grid: str
    gas_network: str
    city_prefix: str
    regional_prefix: str
    gas_prefix: str


@dataclass(frozen=True)
class Country:
    """One country's demo data; see the module's docstring."""

    code: str
    currency: str
    timezone: str
    language: str
    vat_rate: str
    supply_point_code: str
    gs1_prefix: str | None
    operators: Operators
    towns: tuple[Town, ...]
    village_streets: tuple[str, ...]
    female_names: tuple[str, ...]
    male_names: tuple[str, ...]
    surnames: tuple[tuple[str, str], ...]
    """(his, hers): the form of a surname for a man and for a woman (the same where it does not change)."""
    price_scale: str = "1"
    """Demo prices are a Polish supplier's in PLN times this, to look right in the currency."""
    iban: bool = True
    generic: bool = False

    def __post_init__(self) -> None:
        if self.supply_point_code == GSRN18 and not self.gs1_prefix:
            raise ValueError(f"{self.code}: a GSRN needs the country's GS1 prefix")


@dataclass(frozen=True)
class DocumentWords:
    """What an invoice prints, in one language: the labels of ``core.billing.pdf.InvoiceLabels``."""

    labels: dict[str, str]
    titles: dict[str, str]
    charges: dict[str, str]
    month: str
    demo_notice: str
    date_format: str


def _same(*surnames: str) -> tuple[tuple[str, str], ...]:
    """Surnames whose form is the same for a man and a woman."""
    return tuple((name, name) for name in surnames)


COUNTRIES: dict[str, Country] = {
    "PL": Country(
        code="PL",
        currency="PLN",
        timezone="Europe/Warsaw",
        language="pl",
        vat_rate="0.23",
        supply_point_code=GSRN18,
        gs1_prefix="590",
        operators=Operators("Sieć Miejska", "Sieć Regionalna", "Gazownia Regionalna", "5900101", "5900102", "5900201"),
        towns=(
            Town(
                "Nowogród Leśny",
                ("11-100", "11-101", "11-104"),
                streets=("ul. Dworcowa", "ul. Kolejowa", "ul. Zamkowa", "ul. Targowa", "ul. Młyńska",
                         "al. Niepodległości", "ul. Ratuszowa", "ul. Garncarska", "ul. Kasztanowa"),
                weight=4,
            ),
            Town("Dębina", ("11-210", "11-211"), weight=2),
            Town("Brzozowo", ("11-320",), grid="regional"),
            Town("Jaworzyna Mała", ("11-430",), grid="regional", gas=False),
        ),
        village_streets=("ul. Kwiatowa", "ul. Słoneczna", "ul. Polna", "ul. Leśna", "ul. Ogrodowa",
                         "ul. Szkolna", "ul. Lipowa", "ul. Brzozowa", "ul. Łąkowa", "ul. Parkowa"),
        female_names=("Anna", "Maria", "Katarzyna", "Agnieszka", "Ewa", "Joanna", "Magdalena", "Zofia"),
        male_names=("Jan", "Piotr", "Tomasz", "Paweł", "Michał", "Jakub", "Marek", "Wojciech"),
        surnames=(*_same("Nowak", "Wójcik", "Mazur", "Krawczyk", "Zając", "Król", "Wróbel", "Dudek"),
                  ("Kowalski", "Kowalska"), ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"),
                  ("Szymański", "Szymańska")),
    ),
    "CZ": Country(
        code="CZ",
        currency="CZK",
        timezone="Europe/Prague",
        language="cs",
        vat_rate="0.21",
        price_scale="5.5",
        supply_point_code=GSRN18,
        gs1_prefix="859",
        operators=Operators("Městská síť", "Regionální distribuce", "Regionální plynárenská síť",
                            "8591011", "8591012", "8592011"),
        towns=(
            Town(
                "Lipová nad Sázavou",
                ("582 01", "582 02", "582 03"),
                streets=("Nádražní", "Husova", "Palackého", "Komenského", "Masarykovo náměstí",
                         "Žižkova", "Sokolská", "Tylova", "Havlíčkova"),
                weight=4,
            ),
            Town("Dolní Bukovina", ("582 11", "582 12"), weight=2),
            Town("Horní Javoří", ("582 31",), grid="regional"),
            Town("Březnice u Lesa", ("582 41",), grid="regional", gas=False),
        ),
        village_streets=("Školní", "Zahradní", "Polní", "Luční", "Lesní", "Krátká", "Na Výsluní",
                         "Za Humny", "Lipová", "Družstevní"),
        female_names=("Jana", "Petra", "Lucie", "Eva", "Hana", "Tereza", "Marie", "Kateřina"),
        male_names=("Jan", "Petr", "Tomáš", "Martin", "Jiří", "Pavel", "Josef", "Lukáš"),
        surnames=(("Novák", "Nováková"), ("Svoboda", "Svobodová"), ("Novotný", "Novotná"),
                  ("Dvořák", "Dvořáková"), ("Černý", "Černá"), ("Procházka", "Procházková"),
                  ("Kučera", "Kučerová"), ("Veselý", "Veselá"), ("Horák", "Horáková"), ("Němec", "Němcová")),
    ),
    "UA": Country(
        code="UA",
        currency="UAH",
        timezone="Europe/Kyiv",
        language="uk",
        vat_rate="0.20",
        price_scale="8",
        supply_point_code=EIC,
        gs1_prefix="482",
        operators=Operators("Міські електромережі", "Обласні електромережі", "Обласна газорозподільна мережа",
                            "62Z01", "62Z02", "56Z01"),
        towns=(
            Town(
                "Зеленодольськ",
                ("53100", "53101", "53104"),
                streets=("вул. Центральна", "вул. Шевченка", "вул. Соборна", "просп. Незалежності",
                         "вул. Вокзальна", "вул. Героїв", "вул. Лесі Українки", "вул. Івана Франка"),
                weight=4,
            ),
            Town("Вишневе", ("53210", "53211"), weight=2),
            Town("Калинівка", ("53320",), grid="regional"),
            Town("Березівка", ("53430",), grid="regional", gas=False),
        ),
        village_streets=("вул. Садова", "вул. Миру", "вул. Польова", "вул. Лісова", "вул. Молодіжна",
                         "вул. Шкільна", "вул. Зелена", "вул. Весняна", "вул. Набережна", "вул. Вишнева"),
        female_names=("Олена", "Наталія", "Ірина", "Оксана", "Тетяна", "Світлана", "Марія", "Юлія"),
        male_names=("Олександр", "Андрій", "Сергій", "Володимир", "Микола", "Іван", "Дмитро", "Тарас"),
        surnames=_same("Шевченко", "Бондаренко", "Коваленко", "Ткаченко", "Кравченко", "Мельник",
                       "Бойко", "Мороз", "Левченко", "Павленко", "Ткачук", "Кравчук"),
    ),
    "IT": Country(
        code="IT",
        currency="EUR",
        timezone="Europe/Rome",
        language="it",
        vat_rate="0.10",  # households' electricity and gas for domestic use
        price_scale="0.45",
        supply_point_code=POD_PDR,
        gs1_prefix="800",
        operators=Operators("Rete Cittadina", "Distribuzione Regionale", "Rete Gas Regionale",
                            "IT101E", "IT102E", "0101"),
        towns=(
            Town(
                "Borgo San Lorenzo al Piano",
                ("06010", "06011", "06012"),
                streets=("Via Roma", "Corso Garibaldi", "Via Mazzini", "Piazza del Duomo", "Via Cavour",
                         "Via Dante Alighieri", "Viale della Stazione", "Via XX Settembre"),
                weight=4,
            ),
            Town("Castelvecchio", ("06020", "06021"), weight=2),
            Town("Poggio Ulivo", ("06030",), grid="regional"),
            Town("Valle dei Mulini", ("06040",), grid="regional", gas=False),
        ),
        village_streets=("Via dei Tigli", "Via delle Rose", "Via del Mulino", "Via dei Campi", "Via della Chiesa",
                         "Via delle Vigne", "Via del Bosco", "Via della Fontana", "Via dei Pini", "Via del Sole"),
        female_names=("Giulia", "Francesca", "Chiara", "Sara", "Anna", "Laura", "Elena", "Maria"),
        male_names=("Marco", "Luca", "Giuseppe", "Andrea", "Francesco", "Alessandro", "Matteo", "Paolo"),
        surnames=_same("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
                       "Marino", "Greco", "Bruno", "Gallo"),
    ),
}

GENERIC = Country(
    code="",
    currency="",
    timezone="",
    language="en",
    vat_rate="0.20",
    supply_point_code=GSRN18,
    gs1_prefix="200",
    operators=Operators("City Grid", "Regional Grid", "Regional Gas Network", "2000101", "2000102", "2000201"),
    towns=(
        Town("Northbrook", ("NB-100", "NB-101", "NB-104"),
             streets=("Station Road", "Market Street", "Mill Lane", "Castle Street", "Church Street",
                      "Bridge Street", "King's Road", "Victoria Street", "Chestnut Avenue"),
             weight=4),
        Town("Oakfield", ("OF-210", "OF-211"), weight=2),
        Town("Ashby Green", ("AG-320",), grid="regional"),
        Town("Little Hatton", ("LH-430",), grid="regional", gas=False),
    ),
    village_streets=("Meadow Lane", "Orchard Way", "Park Road", "School Lane", "Willow Close",
                     "Garden Street", "Field Road", "Forest Drive", "Elm Grove", "Sunny Bank"),
    female_names=("Anna", "Emma", "Sarah", "Laura", "Julia", "Clara", "Maria", "Helen"),
    male_names=("John", "Peter", "Thomas", "Paul", "Michael", "David", "Mark", "Daniel"),
    surnames=_same("Smith", "Miller", "Taylor", "Brown", "Walker", "Wright", "Green", "Hall",
                   "Wood", "Baker", "Clark", "Turner"),
    iban=False,
    generic=True,
)

_LABEL_FIELDS = (
    "number", "issued_on", "period", "due_on", "customer", "account_number", "supply_point", "tariff",
    "distribution_operator", "description", "quantity", "unit", "unit_price", "net", "vat", "gross",
    "total", "paid", "amount_due", "duplicate",
)
CHARGES = ("electricity", "electricity_day", "electricity_night", "network", "network_day", "network_night",
           "standing", "gas")


def _words(labels: tuple[str, ...], titles: tuple[str, str], charges: tuple[str, ...], month: str,
           demo_notice: str, date_format: str) -> DocumentWords:
    return DocumentWords(
        labels=dict(zip(_LABEL_FIELDS, labels, strict=True)),
        titles={"regular": titles[0], "forecast": titles[1]},
        charges=dict(zip(CHARGES, charges, strict=True)),
        month=month,
        demo_notice=demo_notice,
        date_format=date_format,
    )


DOCUMENT_WORDS: dict[str, DocumentWords] = {
    "en": _words(
        ("No.", "Issue date", "Billing period", "Due date", "Customer", "Customer number", "Supply point",
         "Tariff", "Distribution operator", "Item", "Quantity", "Unit", "Unit price", "Net", "VAT", "Gross",
         "Total", "Paid", "Amount due", "Duplicate"),
        ("Invoice", "Invoice on estimated consumption"),
        ("Electricity", "Electricity, day rate", "Electricity, night rate", "Network charge",
         "Network charge, day rate", "Network charge, night rate", "Standing charge", "Natural gas"),
        "month", "Demo data: this document is not an invoice.", "d MMM yyyy",
    ),
    "pl": _words(
        ("Nr", "Data wystawienia", "Okres rozliczeniowy", "Termin płatności", "Nabywca", "Numer klienta",
         "Punkt poboru (PPE)", "Grupa taryfowa", "Operator (OSD)", "Pozycja", "Ilość", "J.m.", "Cena netto",
         "Netto", "VAT", "Brutto", "Razem", "Zapłacono", "Do zapłaty", "Duplikat"),
        ("Faktura VAT", "Faktura VAT – prognoza"),
        ("Energia elektryczna", "Energia elektryczna, strefa dzienna", "Energia elektryczna, strefa nocna",
         "Opłata dystrybucyjna", "Opłata dystrybucyjna, strefa dzienna", "Opłata dystrybucyjna, strefa nocna",
         "Opłata stała", "Paliwo gazowe"),
        "mies.", "Dane demonstracyjne – dokument nie jest fakturą.", "dd.MM.yyyy",
    ),
    "cs": _words(
        ("Číslo dokladu", "Datum vystavení", "Období", "Datum splatnosti", "Zákazník", "Zákaznické číslo",
         "Odběrné místo", "Sazba", "Distributor", "Položka", "Množství", "Jedn.", "Cena bez DPH", "Bez DPH",
         "DPH", "S DPH", "Celkem", "Uhrazeno", "K úhradě", "Duplikát"),
        ("Faktura", "Faktura – odhad spotřeby"),
        ("Elektřina", "Elektřina, vysoký tarif", "Elektřina, nízký tarif", "Distribuce",
         "Distribuce, vysoký tarif", "Distribuce, nízký tarif", "Stálá platba", "Zemní plyn"),
        "měs.", "Ukázková data – tento doklad není fakturou.", "d. M. yyyy",
    ),
    "uk": _words(
        ("№", "Дата виставлення", "Розрахунковий період", "Сплатити до", "Споживач", "Особовий рахунок",
         "Точка обліку", "Тариф", "Оператор системи розподілу", "Найменування", "Кількість", "Од.",
         "Ціна без ПДВ", "Без ПДВ", "ПДВ", "З ПДВ", "Разом", "Сплачено", "До сплати", "Дублікат"),
        ("Рахунок", "Рахунок за середнім споживанням"),
        ("Електрична енергія", "Електрична енергія, денна зона", "Електрична енергія, нічна зона",
         "Розподіл", "Розподіл, денна зона", "Розподіл, нічна зона", "Абонентська плата", "Природний газ"),
        "міс.", "Демонстраційні дані – цей документ не є рахунком.", "dd.MM.yyyy",
    ),
    "it": _words(
        ("N.", "Data di emissione", "Periodo di fatturazione", "Scadenza", "Intestatario", "Codice cliente",
         "Punto di fornitura", "Offerta", "Distributore", "Voce", "Quantità", "U.m.", "Prezzo unitario",
         "Imponibile", "IVA", "IVA inclusa", "Totale", "Pagato", "Importo da pagare", "Duplicato"),
        ("Bolletta", "Bolletta – consumi stimati"),
        ("Energia elettrica", "Energia elettrica, fascia diurna", "Energia elettrica, fascia notturna",
         "Trasporto e gestione del contatore", "Trasporto, fascia diurna", "Trasporto, fascia notturna",
         "Quota fissa", "Gas naturale"),
        "mese", "Dati dimostrativi – questo documento non è una fattura.", "dd/MM/yyyy",
    ),
}


def country(code: str) -> Country:
    """The country's demo data, or :data:`GENERIC` for one that is not listed."""
    return COUNTRIES.get(code, GENERIC)

# Django ships no Kazakh formats; Kazakhstan writes numbers like Russian does:
# decimal comma, a (non-breaking) space between thousands, day.month.year.
DATE_FORMAT = "j E Y ж."
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "j E Y ж. H:i"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
# Without these Django's defaults ("F j", "F Y") give "Қазан 27" in the admin's date drill-down. Inside a date
# the month is lowercase ("27 қазан"): E is the month's "alt. month" form, lowercased in locale/django-kk.
MONTH_DAY_FORMAT = "j E"
# A standalone label, where the capital is right: "Қазан 2021 ж.".
YEAR_MONTH_FORMAT = "F Y ж."

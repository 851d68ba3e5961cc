"""The PII types voxguard detects (Presidio entity names)."""

from __future__ import annotations

PERSON = "PERSON"
PHONE_NUMBER = "PHONE_NUMBER"
EMAIL_ADDRESS = "EMAIL_ADDRESS"
STREET_ADDRESS = "STREET_ADDRESS"
CREDIT_CARD = "CREDIT_CARD"
US_SSN = "US_SSN"
IBAN_CODE = "IBAN_CODE"
DATE_OF_BIRTH = "DATE_OF_BIRTH"
ACCOUNT_NUMBER = "ACCOUNT_NUMBER"
POSTCODE = "POSTCODE"

ALL_TYPES = (
    PERSON,
    PHONE_NUMBER,
    EMAIL_ADDRESS,
    STREET_ADDRESS,
    CREDIT_CARD,
    US_SSN,
    IBAN_CODE,
    DATE_OF_BIRTH,
    ACCOUNT_NUMBER,
    POSTCODE,
)
# Which type keeps a word that two detections claim: the more specific one.
PRIORITY = {
    EMAIL_ADDRESS: 9,
    IBAN_CODE: 8,
    CREDIT_CARD: 7,
    US_SSN: 7,
    ACCOUNT_NUMBER: 6,
    PHONE_NUMBER: 5,
    STREET_ADDRESS: 5,
    DATE_OF_BIRTH: 4,
    POSTCODE: 4,
    PERSON: 3,
}

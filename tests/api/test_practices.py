from fastapi.testclient import TestClient


def test_lists_each_practice_with_its_kind_and_number(client: TestClient) -> None:
    response = client.get("/api/v1/practices")

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "test-vet",
            "name": "Test Veterinary Oncology",
            "kind": "veterinary",
            "sms_number": "+13125550101",
        },
        {
            "slug": "test-surgical",
            "name": "Test Surgical Oncology",
            "kind": "human",
            "sms_number": "+13125550111",
        },
    ]

"""Every threshold behind shown results is on a public page, with its rationale."""

from bs4 import BeautifulSoup


def test_methods_page_shows_the_settings_this_deployment_uses(app, client):
    app.config["NETS_MIN_N"] = 5
    try:
        page = BeautifulSoup(client.get("/methods").data, "html.parser")
    finally:
        app.config["NETS_MIN_N"] = 3
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in page.select("#suppression tbody tr")
    }
    assert rows["min_n"][0] == "5"
    assert "GMC National Training Survey" in rows["min_n"][1]
    flags = {tr.th.get_text(strip=True) for tr in page.select("#flags tbody tr")}
    assert {"min_n", "adverse_rate"} <= flags
    assert "A/R: High" in page.select_one("#levels").get_text()
    assert page.find("a", string="How results are calculated")["href"] == "/methods"

namespace Portal.Web.Features.SyntheticData;

/// <summary>Word lists for synthetic firms, regions and casework: plausible to read, never a real firm.</summary>
internal static class SyntheticNames
{
    public static readonly string[] Regions =
    [
        "Northfield", "Eastmarch", "Westbrook", "Southdale", "Highmoor", "Lowvale", "Riverton", "Lakeside", "Stonebridge", "Ashford",
        "Greenhill", "Redcliff", "Fairhaven", "Oakridge", "Millbrook", "Kingsport", "Seabrook", "Elmstead", "Hawthorne", "Bramley",
        "Cobham", "Dunmore", "Fenwick", "Glenrock", "Harwich", "Ivybridge", "Kelso", "Langley", "Marlow", "Newbury",
        "Oxley", "Penrith", "Quarry Bank", "Rothley", "Selby", "Thornbury", "Upton", "Varley", "Whitby", "Yarrow",
    ];

    private static readonly string[] Prefixes =
    [
        "Apex", "Blue Ridge", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbour", "Iron Valley", "Juniper", "Kestrel", "Lumen",
        "Meridian", "Nordic", "Orchard", "Pioneer", "Quill", "Summit", "Tidal", "Union", "Vector", "Willow", "Northfield", "Eastmarch",
        "Westbrook", "Riverton", "Stonebridge", "Ashford", "Greenhill", "Redcliff", "Fairhaven", "Oakridge", "Millbrook", "Seabrook",
    ];

    private static readonly string[] Trades =
    [
        "Ceramics", "Foods", "Valves", "Textiles", "Robotics", "Software", "Furniture", "Optics", "Packaging", "Precision Tools",
        "Organics", "Marine Supplies", "Medical Devices", "Coffee Roasters", "Brewing", "Plastics", "Electronics", "Engineering",
        "Design Studio", "Logistics", "Bakeries", "Cosmetics", "Pumps", "Bicycles", "Glassworks", "Dairy", "Instruments", "Fasteners",
    ];

    private static readonly string[] Suffixes = ["Ltd", "Ltd", "Ltd", "GmbH", "& Co", "Group", "S.A.", "BV", "Oy", "AB", "Inc."];

    public static readonly string[] TimeZones = ["Europe/London", "Europe/Berlin", "Europe/Madrid", "Europe/Warsaw", "Europe/Dublin"];

    /// <summary>Advisors' notes, in the words an advisor would write after a call or a meeting.</summary>
    public static readonly string[] Notes =
    [
        "Called the managing director: interested in the export programme, wants to talk after their next trade fair.",
        "First meeting held. Agreed a market-selection workshop; waiting for their sales figures by country.",
        "They have a distributor enquiry from abroad and asked for help checking the partner. Sent the due-diligence checklist.",
        "Discussed financing for a first trade mission. Pointed them to the export credit scheme.",
        "Follow-up call: the owner is busy with a large home-market order; agreed to come back in a month.",
        "Introduced them to the overseas office for a market visit in the spring.",
        "Reviewed their action plan together; the top item is a written export plan with a budget.",
        "They joined the peer group of exporting firms in the region; first session went well.",
        "No answer on two calls; left a message with the office.",
        "Helped them compare entry modes for their main market; they lean towards an agent rather than a subsidiary.",
        "Certification question for the target market: passed on the contact at the standards body.",
        "Closing the case for now: they decided to wait a year before exporting further.",
    ];

    public static readonly (string Subject, string Body)[] Messages =
    [
        ("Export workshop next month", "Hello, following our call: the market-selection workshop is on the first Tuesday of next month. Reply to this email if you would like a place."),
        ("Your action plan", "Hello, I have looked at your latest results. Could we talk about the first three items of your action plan? I am free most mornings."),
        ("Trade mission places", "Hello, there are still places on the trade mission in the autumn. The programme covers part of the travel costs."),
    ];

    public static string Firm(Random random) =>
        $"{Prefixes[random.Next(Prefixes.Length)]} {Trades[random.Next(Trades.Length)]} {Suffixes[random.Next(Suffixes.Length)]}";
}

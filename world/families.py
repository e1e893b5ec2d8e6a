"""Scenario families of the synthetic DialogSum-style corpus: slots, phrasings, summaries.

Each family is one everyday situation. ``opens`` are #Person1#'s request (several
phrasings), ``replies`` #Person2#'s answer, ``extras`` topic-specific turn pairs that
lengthen a dialogue, ``closes`` the goodbye pair, ``summaries`` reference summaries in
DialogSum's third-person style. ``{slot}`` fields are filled from ``slots`` (or from the
shared slots in ``SHARED_SLOTS``).
"""

from __future__ import annotations

SHARED_SLOTS: dict[str, list[str]] = {
    "name": [
        "Tom",
        "Mary",
        "Jack",
        "Linda",
        "Steven",
        "Karen",
        "Paul",
        "Susan",
        "Bill",
        "Anna",
        "David",
        "Emma",
        "Frank",
        "Grace",
        "Henry",
        "Julia",
        "Kevin",
        "Laura",
        "Mike",
        "Nancy",
        "Peter",
        "Rachel",
        "Sam",
        "Tina",
        "Victor",
        "Wendy",
        "Alice",
        "Brian",
        "Chris",
        "Diana",
    ],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "time": ["nine", "ten", "eleven", "two", "three", "four", "five", "six", "seven", "eight"],
    "num": ["two", "three", "four", "five", "six"],
    "price": ["20", "35", "45", "60", "80", "120", "150", "200", "250", "400"],
}

FAMILIES: list[dict] = [
    dict(
        topic="restaurant booking",
        slots={
            "place": ["Luigi's", "the Golden Dragon", "Blue Harbor", "Chez Marie", "the Olive Tree"]
        },
        opens=[
            "I'd like to book a table for {num} at {place} on {day} evening.",
            "Could I reserve a table for {num} people on {day} at {time}?",
            "Hello, is it possible to get a table for {num} this {day}?",
        ],
        replies=[
            "Let me check. We have a table free at {time} o'clock.",
            "We are quite full, but I can give you a table at {time}.",
            "Certainly. May I have your name, please?",
        ],
        extras=[
            ("Can we sit by the window?", "I'll see what I can do, but I can't promise."),
            ("Do you have a vegetarian menu?", "Yes, we have several vegetarian dishes."),
            ("Is there parking nearby?", "There's a car park right behind the restaurant."),
        ],
        closes=[
            ("That's perfect. The name is {name}.", "Thank you, {name}. See you on {day}."),
            ("Great, thanks a lot.", "You're welcome. Enjoy your meal."),
        ],
        summaries=[
            "#Person1# books a table for {num} at {place} on {day}.",
            "#Person1# calls {place} to reserve a table for {num}, "
            "and #Person2# offers {time} o'clock.",
            "#Person1# wants a table for {num} on {day}. #Person2# finds one at {time}.",
        ],
    ),
    dict(
        topic="shopping for clothes",
        slots={
            "item": [
                "a blue shirt",
                "a winter coat",
                "a pair of jeans",
                "a black dress",
                "a wool sweater",
            ],
            "size": ["small", "medium", "large", "extra large"],
        },
        opens=[
            "I'm looking for {item} in {size}.",
            "Do you have {item} in size {size}?",
            "Excuse me, I need {item}, size {size} if possible.",
        ],
        replies=[
            "Let me look. Yes, we have one left in {size}.",
            "The {size} ones are on the second floor.",
            "We have a few. Would you like to try one on?",
        ],
        extras=[
            ("How much is it?", "It's {price} dollars, but it's on sale this week."),
            ("Where is the fitting room?", "It's just over there, next to the mirrors."),
            ("Do you have it in another color?", "We also have it in gray and green."),
        ],
        closes=[
            ("I'll take it.", "Great. You can pay at the front counter."),
            ("I think I'll think about it.", "No problem. Let me know if you need help."),
        ],
        summaries=[
            "#Person1# is shopping for {item} in {size} and #Person2# helps.",
            "#Person1# asks #Person2# for {item} in size {size}.",
            "#Person2# helps #Person1# find {item} in {size}.",
        ],
    ),
    dict(
        topic="returning an item",
        slots={
            "item": ["a toaster", "a pair of shoes", "a lamp", "a phone case", "a coffee maker"],
            "problem": [
                "it doesn't work",
                "it's broken",
                "it's the wrong size",
                "it has a scratch",
            ],
        },
        opens=[
            "I bought {item} here last week, and {problem}. Can I return it?",
            "I'd like to return {item} because {problem}.",
            "Hi, I need to bring back {item}. {problem}.",
        ],
        replies=[
            "Do you have the receipt?",
            "Sure. Can I see the receipt, please?",
            "I'm sorry about that. We can exchange it or give you a refund.",
        ],
        extras=[
            ("Here's the receipt.", "Thank you. It was {price} dollars, right?"),
            (
                "Can I get my money back instead of an exchange?",
                "Yes, the refund goes back to your card.",
            ),
            ("How long does the refund take?", "Usually three to five working days."),
        ],
        closes=[
            ("Thanks for your help.", "You're welcome. Sorry for the trouble."),
            ("Okay, I'll take the refund.", "All done. Have a nice day."),
        ],
        summaries=[
            "#Person1# returns {item} because {problem}.",
            "#Person1# wants to return {item} to #Person2# because {problem}.",
            "#Person1# asks #Person2# for a refund for {item}.",
        ],
    ),
    dict(
        topic="doctor visit",
        slots={
            "symptom": [
                "a bad headache",
                "a sore throat",
                "a high fever",
                "a stomachache",
                "a bad cough",
            ]
        },
        opens=[
            "Doctor, I've had {symptom} since {day}.",
            "I'm not feeling well. I have {symptom}.",
            "I came in because of {symptom} that won't go away.",
        ],
        replies=[
            "Let me take a look. Open your mouth, please.",
            "How long have you had it?",
            "Have you taken any medicine for it?",
        ],
        extras=[
            ("Is it serious?", "I don't think so. You need some rest."),
            ("Do I need to take any pills?", "Take this medicine three times a day after meals."),
            ("Can I go to work tomorrow?", "Better stay at home for two days."),
        ],
        closes=[
            ("Thank you, doctor.", "Come back next week if you don't feel better."),
            ("I'll follow your advice.", "Good. Drink plenty of water."),
        ],
        summaries=[
            "#Person1# sees a doctor because of {symptom}.",
            "#Person1# has {symptom}, and #Person2# examines #Person1# and gives advice.",
            "#Person2# tells #Person1# how to treat {symptom}.",
        ],
    ),
    dict(
        topic="job interview",
        slots={
            "job": ["sales manager", "accountant", "software engineer", "secretary", "nurse"],
            "company": ["Apex Ltd.", "Green Energy", "Sunrise Bank", "City Hospital", "Nova Tech"],
        },
        opens=[
            "Thank you for seeing me. I'm here for the {job} position.",
            "Good morning. I'm applying for the job of {job} at {company}.",
            "I saw your advertisement for a {job} and I'd like to apply.",
        ],
        replies=[
            "Please sit down. Tell me about yourself.",
            "Why do you want to work at {company}?",
            "What experience do you have as a {job}?",
        ],
        extras=[
            ("I worked as a {job} for three years.", "That's good. Why did you leave?"),
            ("What salary do you expect?", "We can discuss that at the second interview."),
            ("What are my strengths? I work hard and learn fast.", "We need people like that."),
        ],
        closes=[
            ("When will I hear from you?", "We'll call you by {day}."),
            ("Thank you for your time.", "Thank you, {name}. We'll be in touch."),
        ],
        summaries=[
            "#Person1# has a job interview for the {job} position at {company}.",
            "#Person2# interviews #Person1# for the job of {job}.",
            "#Person1# applies to be a {job} at {company} and answers #Person2#'s questions.",
        ],
    ),
    dict(
        topic="travel plans",
        slots={"city": ["Paris", "Tokyo", "London", "Rome", "Sydney", "New York", "Beijing"]},
        opens=[
            "I'm planning a trip to {city} next month.",
            "We are going to {city} for our holiday.",
            "Have you ever been to {city}? I'm flying there on {day}.",
        ],
        replies=[
            "How exciting! How long will you stay?",
            "Lucky you. What are you going to see?",
            "I went there last year. You'll love it.",
        ],
        extras=[
            ("I'll stay for {num} days.", "That's enough time to see the main sights."),
            ("Do you know a good hotel there?", "Try one near the city center."),
            ("What about the weather?", "It can rain a lot, so take an umbrella."),
        ],
        closes=[
            ("I can't wait.", "Have a great trip and send me some photos."),
            ("Thanks for the tips.", "Any time. Enjoy {city}."),
        ],
        summaries=[
            "#Person1# tells #Person2# about a trip to {city}.",
            "#Person1# is going to {city} and #Person2# gives some advice.",
            "#Person1# and #Person2# talk about #Person1#'s holiday in {city}.",
        ],
    ),
    dict(
        topic="renting an apartment",
        slots={
            "rooms": ["one-bedroom", "two-bedroom", "studio", "three-bedroom"],
            "area": ["downtown", "near the university", "by the river", "in the suburbs"],
        },
        opens=[
            "I'm calling about the {rooms} apartment {area}.",
            "Is the {rooms} flat {area} still available?",
            "I'd like to rent a {rooms} apartment {area}.",
        ],
        replies=[
            "Yes, it is. The rent is {price}0 dollars a month.",
            "It is. Would you like to see it?",
            "We have one left. When do you want to move in?",
        ],
        extras=[
            ("Are utilities included?", "Water is included, but not electricity."),
            ("Can I keep a pet?", "Small pets are fine."),
            ("How much is the deposit?", "One month's rent."),
        ],
        closes=[
            ("Can I see it on {day}?", "Sure, come at {time}."),
            ("I'll take it.", "Great, I'll prepare the contract."),
        ],
        summaries=[
            "#Person1# wants to rent a {rooms} apartment {area}.",
            "#Person1# asks #Person2# about the {rooms} apartment {area} and arranges to see it.",
            "#Person2# tells #Person1# about the rent of a {rooms} flat {area}.",
        ],
    ),
    dict(
        topic="school homework",
        slots={"subject": ["math", "history", "chemistry", "English", "biology"]},
        opens=[
            "Can you help me with my {subject} homework?",
            "I don't understand the {subject} exercise at all.",
            "The {subject} homework is due on {day} and I'm stuck.",
        ],
        replies=[
            "Sure, which part is hard?",
            "Let me see. Oh, this is tricky.",
            "Didn't the teacher explain it in class?",
        ],
        extras=[
            ("It's question {num}.", "You need to read the chapter again first."),
            ("Can we study together after school?", "Okay, let's meet in the library."),
            ("I'm worried about the exam.", "Don't worry, you still have time."),
        ],
        closes=[
            ("Thanks, you're a lifesaver.", "No problem. Good luck."),
            ("I get it now.", "See? It's not that hard."),
        ],
        summaries=[
            "#Person2# helps #Person1# with the {subject} homework.",
            "#Person1# asks #Person2# for help with {subject} homework due on {day}.",
            "#Person1# doesn't understand the {subject} homework, so #Person2# explains it.",
        ],
    ),
    dict(
        topic="tech support",
        slots={
            "device": ["laptop", "printer", "phone", "router", "computer"],
            "fault": [
                "won't turn on",
                "keeps freezing",
                "is very slow",
                "can't connect to the internet",
            ],
        },
        opens=[
            "My {device} {fault}.",
            "Hi, I need help. My {device} {fault}.",
            "I'm calling because my {device} {fault} since yesterday.",
        ],
        replies=[
            "Have you tried restarting it?",
            "Let's check a few things. Is it plugged in?",
            "I'm sorry to hear that. What model is it?",
        ],
        extras=[
            ("I restarted it twice.", "Then let's try resetting the settings."),
            ("Will I lose my files?", "No, your files will be safe."),
            ("Is it still under warranty?", "Yes, for another {num} months."),
        ],
        closes=[
            ("It works now!", "Great. Call us if it happens again."),
            ("I'll bring it to the shop.", "Okay, we'll look at it on {day}."),
        ],
        summaries=[
            "#Person1#'s {device} {fault}, and #Person2# helps fix it.",
            "#Person1# calls tech support because the {device} {fault}.",
            "#Person2# tells #Person1# how to fix the {device}.",
        ],
    ),
    dict(
        topic="bank account",
        slots={
            "task": [
                "open a savings account",
                "change my address",
                "order a new card",
                "transfer some money",
            ]
        },
        opens=[
            "I'd like to {task}, please.",
            "Good morning. I need to {task}.",
            "Can you help me {task}?",
        ],
        replies=[
            "Of course. Do you have your ID with you?",
            "Sure. Please fill in this form.",
            "No problem. May I see your bank card?",
        ],
        extras=[
            ("Is there a fee?", "There's a small fee of {price} dollars."),
            ("What's the interest rate?", "It's two percent a year."),
            ("How long will it take?", "About ten minutes."),
        ],
        closes=[
            ("Thank you very much.", "You're welcome. Anything else?"),
            ("That's all for today.", "Have a nice day."),
        ],
        summaries=[
            "#Person1# goes to the bank to {task}.",
            "#Person2# helps #Person1# {task} at the bank.",
            "#Person1# wants to {task}, and #Person2# asks for ID.",
        ],
    ),
    dict(
        topic="moving house",
        slots={"place": ["a bigger house", "a new apartment", "the countryside", "another city"]},
        opens=[
            "We are moving to {place} next {day}.",
            "Did I tell you we're moving to {place}?",
            "I need help. I'm moving to {place} this weekend.",
        ],
        replies=[
            "Really? Do you need help packing?",
            "Wow, that's big news. Why are you moving?",
            "I can lend you my car if you want.",
        ],
        extras=[
            ("We need more space for the kids.", "That makes sense."),
            ("Packing is a nightmare.", "Start with the things you don't use."),
            ("The movers charge {price} dollars.", "That's not too bad."),
        ],
        closes=[
            ("Thanks for offering to help.", "That's what friends are for."),
            ("I'll invite you when we settle in.", "I'd love that."),
        ],
        summaries=[
            "#Person1# is moving to {place} and #Person2# offers help.",
            "#Person1# tells #Person2# about moving to {place}.",
            "#Person1# and #Person2# talk about packing and moving to {place}.",
        ],
    ),
    dict(
        topic="birthday party",
        slots={"who": ["Anna", "Tom", "Lucy", "Ben", "Mr. Smith"]},
        opens=[
            "It's {who}'s birthday on {day}. Can you come to the party?",
            "We're having a surprise party for {who} on {day}.",
            "What should I buy {who} for the birthday?",
        ],
        replies=[
            "Sure, what time does it start?",
            "I'd love to. Should I bring anything?",
            "How about a book or some flowers?",
        ],
        extras=[
            ("It starts at {time}.", "Okay, I'll be there on time."),
            ("Could you bring a cake?", "No problem. Chocolate or vanilla?"),
            ("Don't tell anyone, it's a surprise.", "My lips are sealed."),
        ],
        closes=[
            ("See you at the party.", "See you."),
            ("Thanks for coming.", "I wouldn't miss it."),
        ],
        summaries=[
            "#Person1# invites #Person2# to {who}'s birthday party on {day}.",
            "#Person1# and #Person2# plan a party for {who}.",
            "#Person1# asks #Person2# to come to {who}'s birthday party.",
        ],
    ),
    dict(
        topic="sports",
        slots={"sport": ["tennis", "basketball", "football", "swimming", "running"]},
        opens=[
            "Do you want to play {sport} with me on {day}?",
            "I've started doing {sport} every morning.",
            "Did you watch the {sport} match last night?",
        ],
        replies=["Sure, what time?", "Good for you. Is it hard?", "Yes! What a game."],
        extras=[
            ("Let's meet at {time}.", "Okay, at the sports center."),
            ("I want to lose some weight.", "Exercise is the best way."),
            ("I hurt my knee last time.", "Be careful and warm up first."),
        ],
        closes=[("See you then.", "Don't be late."), ("It was fun.", "Let's do it again.")],
        summaries=[
            "#Person1# and #Person2# talk about {sport}.",
            "#Person1# invites #Person2# to play {sport} on {day}.",
            "#Person1# tells #Person2# about doing {sport}.",
        ],
    ),
    dict(
        topic="hotel check-in",
        slots={
            "hotel": ["the Grand Hotel", "the Park Inn", "the Seaview Hotel", "the Royal Palace"]
        },
        opens=[
            "I have a reservation at {hotel} under the name {name}.",
            "Hi, I'd like to check in, please.",
            "Do you have a room for {num} nights?",
        ],
        replies=[
            "Welcome. May I see your passport?",
            "Yes, a double room for {num} nights.",
            "Let me check. Yes, we have a room on the fifth floor.",
        ],
        extras=[
            ("Is breakfast included?", "Yes, from seven to ten."),
            ("What's the wifi password?", "It's on the card in your room."),
            ("Can I have a late checkout?", "Until one o'clock is fine."),
        ],
        closes=[
            ("Thank you.", "Here is your key. Enjoy your stay."),
            ("Where is the elevator?", "Just to your left."),
        ],
        summaries=[
            "#Person1# checks in at {hotel} with #Person2#'s help.",
            "#Person1# checks in for {num} nights and asks about breakfast.",
            "#Person2# helps #Person1# check in at the hotel.",
        ],
    ),
    dict(
        topic="lost luggage",
        slots={
            "bag": ["a black suitcase", "a red backpack", "a brown bag", "a large blue suitcase"]
        },
        opens=[
            "My luggage didn't arrive. It's {bag}.",
            "I've lost {bag} on the flight from {city}.",
            "Excuse me, where do I report lost luggage? I can't find {bag}.",
        ],
        replies=[
            "Please fill in this form with your flight number.",
            "I'm sorry. Can I see your ticket?",
            "Let me check the system.",
        ],
        extras=[
            ("What's inside it?", "Mostly clothes and a camera."),
            ("When will I get it back?", "Usually within two days."),
            ("Can you deliver it to my hotel?", "Yes, we'll send it there."),
        ],
        closes=[("Please call me when you find it.", "We will."), ("Thank you.", "Sorry again.")],
        slots_extra={"city": ["Paris", "Tokyo", "London", "Rome"]},
        summaries=[
            "#Person1# lost {bag} and reports it to #Person2#.",
            "#Person1#'s luggage didn't arrive, so #Person2# helps fill in a form.",
            "#Person1# asks #Person2# to find {bag}.",
        ],
    ),
    dict(
        topic="car repair",
        slots={
            "part": ["the brakes", "the engine", "a tire", "the air conditioning", "the battery"]
        },
        opens=[
            "There's something wrong with {part} of my car.",
            "Can you check {part}? It makes a strange noise.",
            "My car broke down. I think it's {part}.",
        ],
        replies=[
            "Let me have a look.",
            "When did it start?",
            "We'll need to keep the car for a day.",
        ],
        extras=[
            ("How much will it cost?", "About {price} dollars."),
            ("Can I wait here?", "Sure, there's coffee in the waiting room."),
            ("Is it safe to drive?", "Not until we fix it."),
        ],
        closes=[("Okay, go ahead.", "It'll be ready by {time}."), ("Thanks.", "No problem.")],
        summaries=[
            "#Person1#'s car has a problem with {part}, and #Person2# will fix it.",
            "#Person1# takes the car to #Person2# because of {part}.",
            "#Person2# checks {part} of #Person1#'s car.",
        ],
    ),
    dict(
        topic="weather",
        slots={"weather": ["rain", "snow", "a storm", "hot weather", "strong wind"]},
        opens=[
            "Did you hear the forecast? They say {weather} is coming.",
            "I hope we don't get {weather} this weekend.",
            "Look outside, {weather} again!",
        ],
        replies=[
            "Really? I wanted to go hiking.",
            "I hate this weather.",
            "We should stay inside.",
        ],
        extras=[
            ("Take an umbrella.", "Good idea."),
            ("It's been like this all week.", "I miss the sun."),
            ("Maybe we can watch a movie instead.", "That sounds nice."),
        ],
        closes=[("Let's hope it gets better.", "Yes, let's hope."), ("Stay warm.", "You too.")],
        summaries=[
            "#Person1# and #Person2# talk about the {weather}.",
            "#Person1# tells #Person2# that {weather} is coming.",
            "#Person1# and #Person2# change their plans because of {weather}.",
        ],
    ),
    dict(
        topic="library",
        slots={
            "book": [
                "a history book",
                "a cookbook",
                "a novel by Dickens",
                "a travel guide",
                "a dictionary",
            ]
        },
        opens=[
            "I'd like to borrow {book}.",
            "Where can I find {book}?",
            "Can I renew {book}? It's due {day}.",
        ],
        replies=[
            "It's on the third shelf on the left.",
            "Do you have your library card?",
            "Sure, you can keep it two more weeks.",
        ],
        extras=[
            ("What if I return it late?", "There's a small fine."),
            ("How many books can I borrow?", "Up to {num} at a time."),
            ("Is the library open on {day}?", "Yes, until eight."),
        ],
        closes=[
            ("Thank you.", "Please keep quiet in the reading room."),
            ("That's all.", "Enjoy the book."),
        ],
        summaries=[
            "#Person1# borrows {book} from the library.",
            "#Person2# helps #Person1# find {book}.",
            "#Person1# asks the librarian about {book}.",
        ],
    ),
    dict(
        topic="post office",
        slots={
            "parcel": ["a parcel", "a letter", "a package", "some documents"],
            "dest": ["Canada", "Japan", "Germany", "Brazil", "Australia"],
        },
        opens=[
            "I'd like to send {parcel} to {dest}.",
            "How much is it to mail {parcel} to {dest}?",
            "Can I send {parcel} to {dest} by airmail?",
        ],
        replies=[
            "Please put it on the scale.",
            "Airmail or surface mail?",
            "It's {price} dollars by airmail.",
        ],
        extras=[
            ("How long will it take?", "About a week."),
            ("Can I insure it?", "Yes, for a small extra fee."),
            ("Do I need a customs form?", "Yes, fill in this one."),
        ],
        closes=[
            ("Here you are.", "Thank you. Here's your receipt."),
            ("Okay, airmail then.", "Fine."),
        ],
        summaries=[
            "#Person1# sends {parcel} to {dest} at the post office.",
            "#Person1# asks #Person2# how much it costs to send {parcel} to {dest}.",
            "#Person2# helps #Person1# mail {parcel} to {dest}.",
        ],
    ),
    dict(
        topic="gym membership",
        slots={"plan": ["a monthly plan", "a yearly plan", "a student plan", "a family plan"]},
        opens=[
            "I'm interested in {plan} at your gym.",
            "How much is {plan}?",
            "I want to join the gym. Do you have {plan}?",
        ],
        replies=[
            "It's {price} dollars.",
            "Yes, and it includes all classes.",
            "Let me show you around first.",
        ],
        extras=[
            ("Do you have a pool?", "Yes, on the ground floor."),
            ("Can I get a personal trainer?", "Yes, for an extra fee."),
            ("What are the opening hours?", "Six in the morning to ten at night."),
        ],
        closes=[
            ("I'll sign up.", "Welcome to the club."),
            ("I'll think about it.", "Take this brochure."),
        ],
        summaries=[
            "#Person1# asks #Person2# about {plan} at the gym.",
            "#Person1# wants to join the gym with {plan}.",
            "#Person2# tells #Person1# about the gym's {plan}.",
        ],
    ),
    dict(
        topic="ordering food",
        slots={"dish": ["a pizza", "some noodles", "a burger", "fried rice", "a salad"]},
        opens=[
            "I'd like to order {dish} for delivery.",
            "Can I get {dish} and a coke, please?",
            "Hi, I want {dish} delivered to my office.",
        ],
        replies=["Anything else?", "What's your address?", "That'll be {price} dollars."],
        extras=[
            ("How long will it take?", "About thirty minutes."),
            ("Can you make it spicy?", "Sure."),
            ("Do you take credit cards?", "Yes, we do."),
        ],
        closes=[("That's all.", "Thank you for your order."), ("Thanks.", "Enjoy your meal.")],
        summaries=[
            "#Person1# orders {dish} from #Person2#.",
            "#Person1# orders {dish} for delivery.",
            "#Person1# calls to order {dish} and #Person2# takes the order.",
        ],
    ),
    dict(
        topic="directions",
        slots={
            "spot": [
                "the train station",
                "the museum",
                "the city hall",
                "the nearest bank",
                "the hospital",
            ]
        },
        opens=[
            "Excuse me, how do I get to {spot}?",
            "Could you tell me the way to {spot}?",
            "I'm lost. Is {spot} far from here?",
        ],
        replies=[
            "Go straight and turn left at the lights.",
            "It's about ten minutes on foot.",
            "Take bus number {num}.",
        ],
        extras=[
            ("Is it on this side of the road?", "No, across the street."),
            ("Can I walk there?", "Yes, it's not far."),
            ("Is there a taxi stand nearby?", "Right around the corner."),
        ],
        closes=[("Thank you so much.", "You're welcome."), ("Thanks, I'll find it.", "Good luck.")],
        summaries=[
            "#Person1# asks #Person2# the way to {spot}.",
            "#Person2# gives #Person1# directions to {spot}.",
            "#Person1# is lost and #Person2# explains how to get to {spot}.",
        ],
    ),
    dict(
        topic="work deadline",
        slots={
            "task": [
                "the sales report",
                "the presentation",
                "the budget plan",
                "the project proposal",
            ]
        },
        opens=[
            "Have you finished {task}? It's due {day}.",
            "I need {task} on my desk by {day}.",
            "Can we talk about {task}? I'm running late.",
        ],
        replies=["I'm almost done.", "I need one more day.", "I'm sorry, I was sick yesterday."],
        extras=[
            ("Do you need any help?", "Maybe with the numbers."),
            ("The boss is asking about it.", "I know, I know."),
            ("Can you send me a draft?", "I'll email it tonight."),
        ],
        closes=[("Okay, but no later than {day}.", "I promise."), ("Keep me updated.", "I will.")],
        summaries=[
            "#Person1# asks #Person2# about {task}, which is due {day}.",
            "#Person2# is late with {task} and asks #Person1# for more time.",
            "#Person1# reminds #Person2# of the deadline for {task}.",
        ],
    ),
    dict(
        topic="vacation leave",
        slots={"days": ["two days", "a week", "three days", "two weeks"]},
        opens=[
            "I'd like to take {days} off next month.",
            "Can I have {days} of leave?",
            "Would it be possible to take {days} off for my wedding?",
        ],
        replies=[
            "When exactly?",
            "Let me check the schedule.",
            "Congratulations! I think that's fine.",
        ],
        extras=[
            ("From {day}.", "Okay, who will cover your work?"),
            ("My colleague can do my tasks.", "Good."),
            ("I have some holiday left.", "Yes, you have nine days left."),
        ],
        closes=[
            ("Thank you so much.", "Enjoy your time off."),
            ("I'll fill in the form.", "Please do."),
        ],
        summaries=[
            "#Person1# asks #Person2# for {days} off.",
            "#Person1# wants to take {days} of leave, and #Person2# agrees.",
            "#Person2# lets #Person1# take {days} off.",
        ],
    ),
    dict(
        topic="buying a phone",
        slots={
            "brand": [
                "a new smartphone",
                "a cheap phone",
                "the latest model",
                "a phone with a good camera",
            ]
        },
        opens=[
            "I want to buy {brand}.",
            "What do you recommend? I'm looking for {brand}.",
            "How much is {brand}?",
        ],
        replies=["This one is very popular.", "It's {price} dollars.", "What's your budget?"],
        extras=[
            ("How long does the battery last?", "About two days."),
            ("Does it come with a charger?", "Yes, it does."),
            ("Is there a guarantee?", "Two years."),
        ],
        closes=[
            ("I'll take it.", "Good choice."),
            ("It's too expensive.", "We have cheaper ones too."),
        ],
        summaries=[
            "#Person1# wants to buy {brand}, and #Person2# makes suggestions.",
            "#Person2# helps #Person1# choose {brand}.",
            "#Person1# asks about the price of {brand}.",
        ],
    ),
    dict(
        topic="neighbors",
        slots={
            "issue": [
                "the loud music",
                "your dog barking",
                "the car in my space",
                "the garbage bags",
            ]
        },
        opens=[
            "Hi, I live next door. Can we talk about {issue}?",
            "Excuse me, {issue} has been bothering me.",
            "I'm sorry to say this, but {issue} is a problem.",
        ],
        replies=[
            "Oh, I'm sorry. I didn't know.",
            "I'll take care of it.",
            "Is it really that bad?",
        ],
        extras=[
            ("It happens every night.", "I'll make sure it stops."),
            ("I have to get up early.", "I understand."),
            ("My baby can't sleep.", "I'm so sorry."),
        ],
        closes=[
            ("Thanks for understanding.", "No problem, neighbor."),
            ("Have a good evening.", "You too."),
        ],
        summaries=[
            "#Person1# complains to #Person2# about {issue}.",
            "#Person1#'s neighbor #Person2# promises to deal with {issue}.",
            "#Person1# talks to #Person2# about {issue}.",
        ],
    ),
    dict(
        topic="learning a language",
        slots={"lang": ["French", "Chinese", "Spanish", "German", "Japanese"]},
        opens=[
            "I've started learning {lang}.",
            "Do you know a good way to learn {lang}?",
            "I want to take a {lang} class.",
        ],
        replies=[
            "That's great. Is it hard?",
            "Practice every day with native speakers.",
            "There's a course at the community center.",
        ],
        extras=[
            ("The grammar is difficult.", "Keep going, it gets easier."),
            ("I watch movies in {lang}.", "Good idea."),
            ("The class is on {day} evenings.", "That's convenient."),
        ],
        closes=[
            ("Thanks for the advice.", "Good luck with your studies."),
            ("I'll try.", "You can do it."),
        ],
        summaries=[
            "#Person1# is learning {lang} and #Person2# gives advice.",
            "#Person1# and #Person2# talk about learning {lang}.",
            "#Person1# asks #Person2# how to learn {lang}.",
        ],
    ),
    dict(
        topic="haircut",
        slots={
            "style": ["a short cut", "just a trim", "something modern", "the same style as before"]
        },
        opens=[
            "I'd like {style}, please.",
            "Can I get {style} today?",
            "I want {style}. Do you have time now?",
        ],
        replies=["Sure, take a seat.", "How short do you want it?", "We're free in ten minutes."],
        extras=[
            ("Not too short on the sides.", "Got it."),
            ("Do you want it washed?", "Yes, please."),
            ("How much is it?", "{price} dollars."),
        ],
        closes=[("It looks great.", "Thank you, come again."), ("Perfect.", "See you next time.")],
        summaries=[
            "#Person1# gets {style} at the hairdresser's.",
            "#Person1# asks #Person2# for {style}.",
            "#Person2# cuts #Person1#'s hair.",
        ],
    ),
    dict(
        topic="movie night",
        slots={
            "film": [
                "a comedy",
                "the new action movie",
                "a horror film",
                "a romantic film",
                "a cartoon",
            ]
        },
        opens=[
            "Do you want to see {film} on {day}?",
            "There's {film} on at the cinema tonight.",
            "Let's watch {film} together.",
        ],
        replies=[
            "Sounds good. What time?",
            "I'm not a big fan, but okay.",
            "Sure, I'll buy the tickets.",
        ],
        extras=[
            ("The show starts at {time}.", "Let's meet fifteen minutes before."),
            ("Should we get popcorn?", "Of course."),
            ("I heard it's really good.", "Me too."),
        ],
        closes=[("See you there.", "Okay, bye."), ("It's a date.", "Great.")],
        summaries=[
            "#Person1# invites #Person2# to see {film}.",
            "#Person1# and #Person2# plan to watch {film} on {day}.",
            "#Person1# and #Person2# decide to go see {film}.",
        ],
    ),
    dict(
        topic="train tickets",
        slots={"city": ["Boston", "Chicago", "Manchester", "Lyon", "Osaka"]},
        opens=[
            "One ticket to {city}, please.",
            "When is the next train to {city}?",
            "I'd like a return ticket to {city} for {day}.",
        ],
        replies=["Single or return?", "The next one leaves at {time}.", "That's {price} dollars."],
        extras=[
            ("Which platform?", "Platform {num}."),
            ("Is there a discount for students?", "Yes, twenty percent."),
            ("Do I need to change trains?", "No, it's direct."),
        ],
        closes=[("Thank you.", "Have a good trip."), ("Here's the money.", "Here's your ticket.")],
        summaries=[
            "#Person1# buys a train ticket to {city}.",
            "#Person1# asks #Person2# about trains to {city}.",
            "#Person2# sells #Person1# a ticket to {city}.",
        ],
    ),
    dict(
        topic="cooking",
        slots={"dish": ["spaghetti", "a chicken curry", "an apple pie", "fish soup", "dumplings"]},
        opens=[
            "Can you teach me how to make {dish}?",
            "What do I need to cook {dish}?",
            "I'm making {dish} tonight, but I've never done it.",
        ],
        replies=[
            "It's easy. First, get fresh ingredients.",
            "You'll need about an hour.",
            "I'll give you my recipe.",
        ],
        extras=[
            ("How much salt?", "Just a little."),
            ("Can I use frozen vegetables?", "Fresh is better."),
            ("How long does it cook?", "About forty minutes."),
        ],
        closes=[("Thanks, I'll try it.", "Tell me how it goes."), ("Wish me luck.", "Good luck.")],
        summaries=[
            "#Person2# teaches #Person1# how to make {dish}.",
            "#Person1# asks #Person2# for a recipe for {dish}.",
            "#Person1# and #Person2# talk about cooking {dish}.",
        ],
    ),
]
